"""Storage: async engine and sessions, tables, document-repository base and migrations."""
