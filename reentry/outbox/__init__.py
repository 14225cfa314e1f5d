"""Tasks the broker could not take yet, kept in the database until it answers again."""
