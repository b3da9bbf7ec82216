"""A realistic one-file handler for the startup benchmark (an S3 thumbnailer)."""

import os
import tempfile
import uuid
from urllib.parse import unquote_plus

import boto3

s3 = boto3.client("s3")
DEST = os.environ["THUMBNAIL_BUCKET"]


def handler(event, context):
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        path = os.path.join(tempfile.gettempdir(), f"{uuid.uuid4()}.jpg")
        s3.download_file(bucket, key, path)
        s3.upload_file(path, DEST, f"thumbnails/{key}")
    return {"processed": len(event["Records"])}
