pytest_plugins = ["tests.support.alexa_fixtures"]
