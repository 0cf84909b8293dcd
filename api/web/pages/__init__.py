"""The page routers, one module per audience (``account`` is everyone's: sign-in, sign-out, start)."""
