def total(lines):
    t = 0
    for l in lines:
        t += l["price"] * l["qty"]
    return round(t, 2)
