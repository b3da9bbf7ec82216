import datetime


def handle(event, context):
    return {"done": datetime.datetime.now().isoformat()}
