"""What every service shares and that needs nothing but the standard library (it imports in both environments)."""
