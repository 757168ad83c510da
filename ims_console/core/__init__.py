"""What every part shares and that imports nothing of the console: the error type and its codes, IMS's
vocabulary, IDs, keyset pagination, bulk inserts, DATABASE_URL."""
