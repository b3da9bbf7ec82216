"""Makes a thumbnail of every uploaded image."""

import io
from urllib.parse import unquote_plus

import boto3
from aws_lambda_powertools import Logger
from PIL import Image

logger = Logger()
s3 = boto3.client("s3")


@logger.inject_lambda_context
def handler(event, context):
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        image = Image.open(io.BytesIO(body))
        image.thumbnail((128, 128))
        out = io.BytesIO()
        image.save(out, format="PNG")
        s3.put_object(Bucket=bucket, Key="thumbnails/" + key, Body=out.getvalue())
    return {"processed": len(event["Records"])}
