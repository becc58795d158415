"""The portal's JSON API for scripts and the Excel add-in (docs/portal-api.md): per-account tokens (only their
SHA-256 kept; shown once on creation; revocable) on the account's token page, and `/api/v1/submissions`, which
calls the same service functions as the pages with the same scoping."""
