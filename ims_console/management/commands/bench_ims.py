"""`make bench`, part "ims" (issue 21): IMS's own API with Huawei Cloud's SDK for IMS.

1. Batch add of 100 images x 100 projects through POST /v1/cloudimages/members, signed with an access key by the
   SDK (in the clients' virtualenv), until GET /v1/{project_id}/jobs/{job_id} says SUCCESS, against the console
   under gunicorn; compared with the raw-insert floor of the same rows (bench_sharing's). Best of the rounds.
2. What verifying a signature costs: the median of `signing.verify` on a signed request, in-process.

Figures are printed, not asserted.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.test import RequestFactory

from ims_console.activity.models import Trace
from ims_console.api import signing
from ims_console.identity import access_keys
from ims_console.identity.caller import Caller
from ims_console.identity.models import Membership
from ims_console.management.commands.bench_api import _gunicorn
from ims_console.management.commands.bench_openstack import _free_port
from sharing.management.commands import bench_sharing

SDK = r"""
import json, sys, time
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkims.v2 import *

a = json.load(sys.stdin)
ims = ImsClient.new_builder().with_credentials(BasicCredentials(a["ak"], a["sk"], a["project"])) \
    .with_endpoints([a["url"]]).build()
ims.list_images(ListImagesRequest(limit=1))  # a warm connection, as a script that has started
started = time.perf_counter()
job = ims.batch_add_members(BatchAddMembersRequest(body=BatchAddMembersRequestBody(images=a["images"],
                                                                                   projects=a["projects"]))).job_id
while (status := ims.show_job(ShowJobRequest(job_id=job)).status) not in ("SUCCESS", "FAIL"):
    time.sleep(0.05)
sys.stdout.write(json.dumps({"seconds": time.perf_counter() - started, "status": status}))  # the answer to bench_ims
"""


class Command(BaseCommand):
    help = "IMS's API: a 100 x 100 batch add with the SDK until its job ends, against the floor; signature cost."

    def add_arguments(self, parser):
        parser.add_argument("--images", type=int, default=100)
        parser.add_argument("--projects", type=int, default=100)
        parser.add_argument("--rounds", type=int, default=3)
        parser.add_argument("--clients-python", default=os.environ.get("IMS_CLIENTS_PYTHON", ""))

    def handle(self, *args, images: int, projects: int, rounds: int, clients_python: str, **options) -> None:
        if not clients_python or not Path(clients_python).exists():
            raise CommandError("The clients' Python is missing: run it as `make bench` (it passes --clients-python).")
        sharing = bench_sharing.Command()
        owner, caller, image_ids, project_ids = sharing._fixture(images, projects)
        user = get_user_model().objects.create(username=f"bench-ims-{uuid.uuid4().hex[:6]}")
        Membership.objects.create(user=user, account_id=caller.account_id, role=Membership.Role.ADMIN, time_zone="UTC")
        holder = Caller(user_id=user.pk, username=user.username, account_id=caller.account_id,
                        project_id=caller.project_id, role="admin", source_ip="127.0.0.1")
        key = access_keys.key_create(caller=holder, description="bench")
        config = {"ak": key.key.pk, "sk": key.secret, "project": caller.project_id, "images": image_ids,
                  "projects": project_ids}
        self.stdout.write(f"\n== IMS's API: batch add of {images} images x {projects} projects ({images * projects:,} "
                          f"pairs) with the IMS SDK until the job says SUCCESS (gunicorn 2 x 4 threads), best of {rounds}")
        with tempfile.TemporaryDirectory(prefix="bench-ims-") as directory:
            port = _free_port()
            server = _gunicorn(port, Path(directory) / "console.log")
            config["url"] = f"http://127.0.0.1:{port}"
            try:
                api, floor = [], []
                for _ in range(rounds):
                    sharing._clear()
                    Trace.objects.filter(username=user.username, name=Trace.Name.ADD_MEMBER).delete()
                    api.append(self._sdk(clients_python, config))
                    sharing._clear()
                    floor.append(sharing._floor(caller, image_ids, project_ids))
                sharing._clear()
            finally:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=30)
        best, base = min(api), min(floor)
        self.stdout.write(f"  through the API: {best * 1000:8.1f} ms  (request, validation, members, job, traces, "
                          f"then the job read until SUCCESS)")
        self.stdout.write(f"  floor:           {base * 1000:8.1f} ms  (the same rows inserted raw, one transaction)")
        self.stdout.write(f"  ratio:           {best / base:8.2f}x  (goal: at most 3x)")
        self._signature(key.key.pk, key.secret, caller.project_id)

    def _sdk(self, python: str, config: dict) -> float:
        run = subprocess.run([python, "-c", SDK], input=json.dumps(config), capture_output=True, text=True, timeout=600)
        if run.returncode != 0:
            raise CommandError(f"The SDK failed:\n{run.stderr[-2000:]}")
        result = json.loads(run.stdout)
        if result["status"] != "SUCCESS":
            raise CommandError(f"The batch's job ended {result['status']}.")
        return result["seconds"]

    def _signature(self, ak: str, sk: str, project_id: str) -> None:
        """verify() on a GET signed as the SDK signs it (headers, date, the empty body's hash)."""
        factory = RequestFactory()
        date = time.strftime(signing.DATE_FORMAT, time.gmtime())
        headers: dict = {"HTTP_HOST": "127.0.0.1", "HTTP_X_SDK_DATE": date, "HTTP_X_PROJECT_ID": project_id,
                         "CONTENT_TYPE": "application/json"}
        names = ["content-type", "host", "x-project-id", "x-sdk-date"]
        request = factory.get("/v2/cloudimages", {"limit": "10"}, **headers)
        canonical = signing.canonical_request(request, names, signing.hashlib.sha256(b"").hexdigest())
        value = f"SDK-HMAC-SHA256 Access={ak}, SignedHeaders={';'.join(names)}, Signature={signing.signature(sk, date, canonical)}"
        times = []
        for _ in range(300):
            signed = factory.get("/v2/cloudimages", {"limit": "10"}, HTTP_AUTHORIZATION=value, **headers)
            started = time.perf_counter()
            signing.verify(signed)
            times.append(time.perf_counter() - started)
        self.stdout.write(f"  signature verification: {statistics.median(times) * 1000:.2f} ms median of 300 "
                          f"(the key's row, the project's, the secret decrypted, the HMAC; goal: at most 1 ms)")
