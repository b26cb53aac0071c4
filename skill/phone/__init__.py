"""The telephone menu: call flow, TwiML webhooks, signed requests, and the Asterisk export."""
