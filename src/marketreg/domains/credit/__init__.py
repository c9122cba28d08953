"""Credit supervision: the entity credit file (一户一档), annual reports, the abnormal and serious
lists, credit repair, risk classes A–D and public credit publicity."""
