import io

import boto3
from PIL import Image

s3 = boto3.client("s3")


def handler(event, context):
    record = event["Records"][0]["s3"]
    body = s3.get_object(Bucket=record["bucket"]["name"], Key=record["object"]["key"])["Body"]
    image = Image.open(io.BytesIO(body.read()))
    image.thumbnail((128, 128))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return {"size": out.tell()}
