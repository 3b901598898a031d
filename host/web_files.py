"""Serving the built web app: versioned files (under v/, named by their bytes' hash: see
scripts/build_web.py) may be kept by browsers for good, everything else is revalidated (ETag);
a file's gzip twin (name.gz) goes to browsers that take gzip, as it is."""

import mimetypes
import os

from starlette.datastructures import Headers
from starlette.responses import FileResponse
from starlette.staticfiles import NotModifiedResponse, StaticFiles

# Browsers insist on these types for ES modules and streaming WASM compilation; older
# mimetypes tables lack .mjs.
mimetypes.add_type("text/javascript", ".mjs")
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("application/wasm", ".wasm")
IMMUTABLE = "public, max-age=31536000, immutable"


class WebFiles(StaticFiles):
    """StaticFiles with cache headers by path and gzip twins."""

    def file_response(self, full_path, stat_result, scope, status_code=200):
        request = Headers(scope=scope)
        twin = f"{full_path}.gz"
        if "gzip" in request.get("accept-encoding", "") and os.path.isfile(twin):
            media_type = mimetypes.guess_type(str(full_path))[0] or "application/octet-stream"
            response = FileResponse(twin, status_code=status_code, stat_result=os.stat(twin), media_type=media_type)
            response.headers["content-encoding"] = "gzip"
        else:
            response = FileResponse(full_path, status_code=status_code, stat_result=stat_result)
        response.headers["vary"] = "accept-encoding"
        response.headers["cache-control"] = IMMUTABLE if scope["path"].startswith("/v/") else "no-cache"
        if self.is_not_modified(response.headers, request):
            return NotModifiedResponse(response.headers)
        return response
