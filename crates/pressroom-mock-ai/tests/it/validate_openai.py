"""Validates mock replies against the official `openai` package's response types.

Usage: validate_openai.py FILE...  where each file name starts with `chat-` (a chat
completion) or `images-` (an images response). Exits non-zero on the first invalid reply.
"""

import json
import os
import sys

from openai.types import ImagesResponse
from openai.types.chat import ChatCompletion


def main() -> int:
    for path in sys.argv[1:]:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        name = os.path.basename(path)
        model = ChatCompletion if name.startswith("chat-") else ImagesResponse
        # strict=True: no type coercion, so "created": "123" or a float token count fails.
        obj = model.model_validate(data, strict=True)
        if model is ChatCompletion:
            assert obj.object == "chat.completion", name
            assert obj.choices and obj.choices[0].message.role == "assistant", name
            assert obj.usage is not None and obj.usage.total_tokens == (
                obj.usage.prompt_tokens + obj.usage.completion_tokens
            ), name
        else:
            assert obj.data, name
            for img in obj.data:
                assert (img.url is None) != (img.b64_json is None), name
        print(f"ok {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
