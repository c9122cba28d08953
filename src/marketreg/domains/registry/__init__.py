"""Market-entity registry: the basic database's entities (keyed by USCC) and licences."""
