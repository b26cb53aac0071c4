"""The Alexa custom skill: verify requests, handle intents, build responses."""
