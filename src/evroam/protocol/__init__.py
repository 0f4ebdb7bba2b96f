"""Mechanics shared by every OCPI version: envelope, status codes, headers, auth, pagination."""
