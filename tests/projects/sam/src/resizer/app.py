"""Resizes images uploaded under uploads/ and writes them under resized/."""

import io
import os
from urllib.parse import unquote_plus

import boto3
from PIL import Image

s3 = boto3.client("s3")


def handler(event, context):
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        image = Image.open(io.BytesIO(body)).resize((640, 480))
        out = io.BytesIO()
        image.save(out, format="JPEG")
        s3.put_object(Bucket=bucket, Key=f"resized/{os.path.basename(key)}",
                      Body=out.getvalue())
    return {"resized": len(event["Records"])}
