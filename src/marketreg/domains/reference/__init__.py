"""Reference codes: GB/T 2260 administrative divisions (current and abolished) and GB/T 4754-2017
industries, plus address → county resolution for Shandong and USCC description."""
