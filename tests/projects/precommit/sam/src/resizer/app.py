"""Resizes images uploaded under uploads/ and writes them under resized/."""

import io
import os
from urllib.parse import unquote_plus

import boto3
from PIL import Image
from uploads_common import RESIZED_SIZE

s3 = boto3.client("s3")


def handler(event, context):
    written = []
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        image = Image.open(io.BytesIO(body)).resize(RESIZED_SIZE)
        out = io.BytesIO()
        image.save(out, format="JPEG")
        target = f"resized/{os.path.basename(key)}"
        s3.put_object(Bucket=bucket, Key=target, Body=out.getvalue())
        written.append(target)
    return sorted(written)
