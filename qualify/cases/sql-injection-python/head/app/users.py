import sqlite3


def connect(path):
    return sqlite3.connect(path)


def find_user(conn, user_id):
    cur = conn.execute("SELECT id, name, email FROM users WHERE id = ?", (user_id,))
    return cur.fetchone()


def search_users(conn, name):
    """Users whose name contains `name`, for the admin search box."""
    query = f"SELECT id, name, email FROM users WHERE name LIKE '%{name}%'"
    cur = conn.execute(query)
    return cur.fetchall()
