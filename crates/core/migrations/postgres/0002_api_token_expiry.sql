-- Tokens obtained with a password (POST /api/v1/auth/token) expire; tokens created on purpose
-- for an integration do not (NULL) until revoked.
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMPTZ;
