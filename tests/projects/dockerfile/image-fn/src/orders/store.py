import uuid


def save_order(order, amount):
    return f"{order['sku']}-{amount}-{uuid.uuid4()}"
