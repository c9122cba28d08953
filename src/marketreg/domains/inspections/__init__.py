"""双随机、一公开 random inspections: one item list and two databases (entities, inspectors),
plans and batches, verifiable draws, on-site results and their publication."""
