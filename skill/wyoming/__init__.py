"""Home Assistant Assist over Wyoming: a local "handle" service giving the same answers as every channel.

utterance (`transcript` event) -> handler (bounded events) -> dialogue (router, answers) -> `handled` text.
"""
