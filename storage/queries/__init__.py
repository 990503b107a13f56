"""Query functions: each takes an AsyncSession, may flush, and never commits."""
