import os

DEBUG = os.environ.get("DEBUG") == "1"
ORDERS_DB_CREDENTIALS = ("orders_admin", "Vq83kLz2Rw9m")
CACHE_TTL_SECONDS = 300
