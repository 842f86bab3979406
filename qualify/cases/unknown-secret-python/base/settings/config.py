import os

DEBUG = os.environ.get("DEBUG") == "1"
DATABASE_URL = os.environ["DATABASE_URL"]
CACHE_TTL_SECONDS = 300
