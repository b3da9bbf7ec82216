"""Makes a thumbnail of each photo uploaded under uploads/."""

import io
import os
import urllib.parse

import boto3
from imaging import thumbnail_size
from PIL import Image

s3 = boto3.client("s3")
BUCKET = os.environ["UPLOAD_BUCKET"]
PREFIX = os.environ.get("THUMBNAIL_PREFIX", "thumbnails/")


def handler(event, context):
    for record in event["Records"]:
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        body = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        with Image.open(io.BytesIO(body)) as image:
            image.thumbnail(thumbnail_size(image.size))
            out = io.BytesIO()
            image.convert("RGB").save(out, format="JPEG")
        s3.put_object(Bucket=BUCKET, Key=PREFIX + key.split("/", 1)[-1], Body=out.getvalue())
    return {"resized": len(event["Records"])}
