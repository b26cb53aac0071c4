"""The podcast: one episode a topic (built with the audio), and the RSS feed podcast apps subscribe to."""
