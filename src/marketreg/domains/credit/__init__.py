"""Enterprise credit (信用监管)."""
