from lambda_utils import json_response
from pydantic import BaseModel


class Greeting(BaseModel):
    name: str


def main(event, context):
    greeting = Greeting.model_validate_json(event["body"])
    return json_response(200, {"message": f"hello {greeting.name}"})
