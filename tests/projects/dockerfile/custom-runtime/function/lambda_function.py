import httpx


def handler(event, context):
    response = httpx.get(event["url"], timeout=5)
    return {"status": response.status_code}
