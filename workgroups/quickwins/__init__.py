"""Quick wins: small projects people propose, discuss, choose and carry out together."""
