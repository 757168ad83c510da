"""Load the demo tenants, users, keys and images. Idempotent: a second run changes and duplicates nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from images.models import Image, Key, KeyGrant
from images.services import create_default_key
from ims_console.core.vocabulary import BackupSource, ImageStatus, ImageType, OSType
from ims_console.identity.caller import Caller
from ims_console.identity.models import Account, Membership, Project
from sharing.acceptance import image_member_status_update
from sharing.models import ImageMember, Vault
from sharing.services import image_members_add

# Every demo ID is derived from a name in this namespace, so it is the same on every machine.
DEMO_NAMESPACE = uuid.UUID("6f1f7c2e-3c1a-4c39-9a59-0d6a4d1c2b10")
DEMO_PASSWORD = "ims-demo"
EPOCH = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)


def demo_uuid(kind: str, name: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, f"{kind}:{name}")


def demo_hex(kind: str, name: str) -> str:
    return demo_uuid(kind, name).hex


ACCOUNTS = {
    "acme": [("eu-de_acme", "eu-de"), ("eu-nl_acme", "eu-nl")],
    "globex": [("eu-de_globex", "eu-de"), ("eu-nl_globex", "eu-nl")],
    "initech": [("eu-de_initech", "eu-de")],
}
USERS = [
    ("alice", "acme", Membership.Role.ADMIN),
    ("carol", "acme", Membership.Role.READONLY),
    ("bob", "globex", Membership.Role.ADMIN),
    ("dave", "initech", Membership.Role.ADMIN),
]
CUSTOM_KEY = ("eu-de_acme", "acme/prod-images")  # granted to globex's account, not to initech's


@dataclass(frozen=True)
class DemoImage:
    name: str
    os_type: str
    os_version: str
    image_type: str = ImageType.SYSTEM
    status: str = ImageStatus.ACTIVE
    min_disk: int = 40
    key: str = ""  # "", "default" or "custom"
    backup_source: str = BackupSource.NONE
    tags: tuple[tuple[str, str], ...] = ()
    description: str = ""


# One letter each, so that the catalogue below reads as a table.
L, W, O = OSType.LINUX, OSType.WINDOWS, OSType.OTHER  # noqa: E741
S, D, F, I = ImageType.SYSTEM, ImageType.DATA, ImageType.FULL_ECS, ImageType.ISO  # noqa: E741

ACME_EU_DE = [
    # Normal, unencrypted system and data disk images: the ones that can be shared.
    DemoImage("web-frontend-ubuntu2204", L, "Ubuntu 22.04 server 64bit", tags=(("env", "prod"), ("team", "web"))),
    DemoImage("web-frontend-ubuntu2404", L, "Ubuntu 24.04 server 64bit", tags=(("env", "staging"),)),
    DemoImage("api-gateway-debian12", L, "Debian GNU/Linux 12 64bit", tags=(("team", "platform"),)),
    DemoImage("postgres-16-rocky9", L, "Rocky Linux 9.4 64bit", min_disk=100, description="PostgreSQL 16 with tuned kernel settings."),
    DemoImage("redis-7-debian12", L, "Debian GNU/Linux 12 64bit"),
    DemoImage("jenkins-agent-centos9", L, "CentOS Stream 9 64bit", tags=(("team", "ci"),)),
    DemoImage("gitlab-runner-ubuntu2204", L, "Ubuntu 22.04 server 64bit", tags=(("team", "ci"),)),
    DemoImage("k8s-node-ubuntu2404", L, "Ubuntu 24.04 server 64bit", min_disk=60),
    DemoImage("k8s-master-ubuntu2404", L, "Ubuntu 24.04 server 64bit", min_disk=60),
    DemoImage("nginx-edge-opensuse155", L, "openSUSE 15.5 64bit"),
    DemoImage("sles15-sap-base", L, "SUSE Linux Enterprise Server 15 SP5 64bit", min_disk=80),
    DemoImage("oracle-linux9-base", L, "Oracle Linux 9.3 64bit"),
    DemoImage("fedora40-dev-workstation", L, "Fedora 40 64bit"),
    DemoImage("euleros-base-2.10", L, "EulerOS 2.10 64bit"),
    DemoImage("win2019-iis-web", W, "Windows Server 2019 Standard 64bit", min_disk=50, tags=(("team", "web"),)),
    DemoImage("win2022-ad-domain", W, "Windows Server 2022 Datacenter 64bit", min_disk=60),
    DemoImage("win2022-sql-server", W, "Windows Server 2022 Datacenter 64bit", min_disk=120),
    DemoImage("freebsd14-firewall", O, "FreeBSD 14.1 64bit", min_disk=20),
    DemoImage("appliance-other-64", O, "Other(64 bit)", min_disk=20),
    DemoImage("data-postgres-backup-2026q1", O, "", image_type=D, min_disk=200, tags=(("backup", "q1"),)),
    DemoImage("data-media-assets", O, "", image_type=D, min_disk=500),
    DemoImage("data-logs-archive", O, "", image_type=D, min_disk=300),
    DemoImage("data-ml-training-set", O, "", image_type=D, min_disk=1024, tags=(("team", "ml"),)),
    DemoImage("data-build-cache", O, "", image_type=D, min_disk=100),
    DemoImage("analytics-spark-ubuntu2204", L, "Ubuntu 22.04 server 64bit", min_disk=80),
    DemoImage("monitoring-grafana-debian12", L, "Debian GNU/Linux 12 64bit"),
    # Not Normal.
    DemoImage("ubuntu2404-hardened-wip", L, "Ubuntu 24.04 server 64bit", status=ImageStatus.SAVING),
    DemoImage("win2022-golden-wip", W, "Windows Server 2022 Datacenter 64bit", status=ImageStatus.SAVING, min_disk=60),
    DemoImage("data-import-wip", O, "", image_type=D, status=ImageStatus.SAVING, min_disk=100),
    DemoImage("centos9-failed-import", L, "CentOS Stream 9 64bit", status=ImageStatus.KILLED),
    DemoImage("win2019-failed-sysprep", W, "Windows Server 2019 Standard 64bit", status=ImageStatus.KILLED, min_disk=50),
    # Full-ECS images, from CBR (shareable) and CSBS (not).
    DemoImage("full-ecs-erp-cbr", L, "SUSE Linux Enterprise Server 15 SP5 64bit", image_type=F, min_disk=100, backup_source=BackupSource.CBR),
    DemoImage("full-ecs-crm-cbr", W, "Windows Server 2022 Datacenter 64bit", image_type=F, min_disk=120, backup_source=BackupSource.CBR),
    DemoImage("full-ecs-legacy-csbs", L, "CentOS Stream 9 64bit", image_type=F, min_disk=80, backup_source=BackupSource.CSBS),
    DemoImage("full-ecs-billing-csbs", W, "Windows Server 2019 Standard 64bit", image_type=F, min_disk=100, backup_source=BackupSource.CSBS),
    # ISO images.
    DemoImage("iso-ubuntu-24.04-live", L, "Ubuntu 24.04 server 64bit", image_type=I, min_disk=20),
    DemoImage("iso-windows-server-2022", W, "Windows Server 2022 Datacenter 64bit", image_type=I, min_disk=40),
    DemoImage("iso-rescue-tools", O, "Other(64 bit)", image_type=I, min_disk=10),
    # Encrypted with the default key (never shareable) and with the custom key (shareable where granted).
    DemoImage("payments-debian12-enc-default", L, "Debian GNU/Linux 12 64bit", key="default", tags=(("pci", "yes"),)),
    DemoImage("hr-win2022-enc-default", W, "Windows Server 2022 Datacenter 64bit", key="default", min_disk=60),
    DemoImage("data-finance-enc-default", O, "", image_type=D, key="default", min_disk=200),
    DemoImage("payments-rocky9-enc-custom", L, "Rocky Linux 9.4 64bit", key="custom", tags=(("pci", "yes"),)),
    DemoImage("vault-ubuntu2204-enc-custom", L, "Ubuntu 22.04 server 64bit", key="custom"),
    DemoImage("data-secrets-enc-custom", O, "", image_type=D, key="custom", min_disk=50),
]
OTHER_PROJECTS = {
    "eu-nl_acme": [
        DemoImage("nl-web-ubuntu2404", L, "Ubuntu 24.04 server 64bit"),
        DemoImage("nl-db-debian12", L, "Debian GNU/Linux 12 64bit", min_disk=100),
        DemoImage("nl-win2022-base", W, "Windows Server 2022 Datacenter 64bit", min_disk=60),
        DemoImage("nl-data-archive", O, "", image_type=D, min_disk=500),
    ],
    "eu-de_globex": [
        DemoImage("globex-base-ubuntu2404", L, "Ubuntu 24.04 server 64bit"),
        DemoImage("globex-hr-win2022", W, "Windows Server 2022 Datacenter 64bit", min_disk=60),
        DemoImage("globex-analytics-rocky9", L, "Rocky Linux 9.4 64bit", min_disk=80),
        DemoImage("globex-data-warehouse", O, "", image_type=D, min_disk=1000),
        DemoImage("globex-full-ecs-cbr", L, "Debian GNU/Linux 12 64bit", image_type=F, min_disk=60, backup_source=BackupSource.CBR),
        DemoImage("globex-iso-tools", O, "Other(64 bit)", image_type=I, min_disk=10),
    ],
    "eu-nl_globex": [
        DemoImage("globex-nl-edge-debian12", L, "Debian GNU/Linux 12 64bit"),
        DemoImage("globex-nl-win2019", W, "Windows Server 2019 Standard 64bit", min_disk=50),
    ],
    "eu-de_initech": [
        DemoImage("initech-tps-reports-centos9", L, "CentOS Stream 9 64bit"),
        DemoImage("initech-win2019-desktop", W, "Windows Server 2019 Standard 64bit", min_disk=50),
        DemoImage("initech-data-ledger", O, "", image_type=D, min_disk=200),
        DemoImage("initech-fedora40-dev", L, "Fedora 40 64bit"),
    ],
}


# Shares between acme and globex in both directions and every status: (owner project, image, recipient, status).
SHARES = [
    ("eu-de_acme", "web-frontend-ubuntu2404", "eu-de_globex", ImageMember.Status.PENDING),
    ("eu-de_acme", "payments-rocky9-enc-custom", "eu-de_globex", ImageMember.Status.PENDING),
    ("eu-de_acme", "api-gateway-debian12", "eu-de_globex", ImageMember.Status.ACCEPTED),
    ("eu-de_acme", "postgres-16-rocky9", "eu-de_globex", ImageMember.Status.REJECTED),
    ("eu-de_globex", "globex-base-ubuntu2404", "eu-de_acme", ImageMember.Status.PENDING),
    ("eu-de_globex", "globex-full-ecs-cbr", "eu-de_acme", ImageMember.Status.PENDING),
    ("eu-de_globex", "globex-analytics-rocky9", "eu-de_acme", ImageMember.Status.ACCEPTED),
    ("eu-de_globex", "globex-hr-win2022", "eu-de_acme", ImageMember.Status.REJECTED),
]


# Every project's CBR vaults: (name, protection type, resource type, capacity GB, used GB). Only the first is
# fit for accepting a full-ECS image; the others are too small or of the wrong kind.
VAULTS = [
    ("vault-servers", Vault.ProtectionType.BACKUP, Vault.ResourceType.SERVER, 500, 120),
    ("vault-servers-small", Vault.ProtectionType.BACKUP, Vault.ResourceType.SERVER, 20, 16),
    ("vault-disks", Vault.ProtectionType.BACKUP, Vault.ResourceType.DISK, 1000, 100),
    ("vault-replicas", Vault.ProtectionType.REPLICATION, Vault.ResourceType.SERVER, 800, 0),
]


class Command(BaseCommand):
    help = "Load the demo accounts, projects, users, keys and images (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        if settings.IMS_BACKEND != "embedded":
            # The console's own data would only confuse there: the tenants, users and images are the cloud's
            # (`make openstack` has its own demo accounts).
            self.stdout.write(f"IMS_BACKEND={settings.IMS_BACKEND}: the tenants, users and images are the cloud's, so "
                              "no demo data is loaded.")
            return
        created = 0
        projects: dict[str, Project] = {}
        accounts: dict[str, Account] = {}
        for account_name, project_specs in ACCOUNTS.items():
            account, made = Account.objects.get_or_create(id=demo_hex("account", account_name), defaults={"name": account_name})
            accounts[account_name] = account
            created += made
            for project_name, region in project_specs:
                project, made = Project.objects.get_or_create(
                    id=demo_hex("project", project_name),
                    defaults={"name": project_name, "region": region, "account": account},
                )
                projects[project_name] = project
                created += made

        User = get_user_model()
        for username, account_name, role in USERS:
            user, made = User.objects.get_or_create(username=username)
            if made:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            created += made
            _, made = Membership.objects.get_or_create(user=user, defaults={"account": accounts[account_name], "role": role})
            created += made

        keys: dict[tuple[str, str], Key] = {}
        for project in projects.values():
            # ims/default comes with the project (images.apps); this finds it.
            keys[(project.name, "default")] = create_default_key(project)
        project_name, alias = CUSTOM_KEY
        custom, made = Key.objects.get_or_create(
            id=demo_uuid("key", f"{project_name}:{alias}"),
            defaults={"project": projects[project_name], "alias": alias, "created_at": EPOCH},
        )
        keys[(project_name, "custom")] = custom
        created += made
        _, made = KeyGrant.objects.get_or_create(
            key=custom, grantee_account=accounts["globex"], defaults={"operations": KeyGrant.OPERATIONS, "created_at": EPOCH}
        )
        created += made

        catalog = {"eu-de_acme": ACME_EU_DE, **OTHER_PROJECTS}
        for project_name, images in catalog.items():
            for index, spec in enumerate(images):
                created += self._image(projects[project_name], index, spec, keys)

        for project in projects.values():
            for name, protection, resource, capacity, used in VAULTS:
                _, made = Vault.objects.get_or_create(
                    id=demo_uuid("vault", f"{project.name}:{name}"),
                    defaults={"project": project, "name": name, "protection_type": protection,
                              "resource_type": resource, "capacity_gb": capacity, "used_gb": used},
                )
                created += made
        created += self._shares(projects)

        self.stdout.write(f"Demo data: {created} new records." if created else "Demo data already loaded: nothing changed.")
        self.stdout.write(f"Demo logins (password '{DEMO_PASSWORD}', for the demo only):")
        for username, account_name, role in USERS:
            self.stdout.write(f"  {username:<6} {account_name:<8} {role.label}")

    def _shares(self, projects: dict[str, Project]) -> int:
        """Shares go through the sharing services, as the owner's and then the recipient's would; only pairs not
        there yet, so that a second run writes nothing."""
        created = 0
        for owner_name, image_name, recipient_name, status in SHARES:
            owner, recipient = projects[owner_name], projects[recipient_name]
            image = Image.objects.get(id=demo_uuid("image", f"{owner_name}:{image_name}"))
            if ImageMember.objects.filter(image=image, project=recipient).exists():
                continue
            image_members_add(caller=_seed_caller(owner), image_ids=[str(image.id)], project_ids=[recipient.id])
            if status != ImageMember.Status.PENDING:
                image_member_status_update(caller=_seed_caller(recipient), image_ids=[str(image.id)], status=status)
            created += 1
        return created

    def _image(self, project: Project, index: int, spec: DemoImage, keys: dict[tuple[str, str], Key]) -> int:
        created_at = EPOCH + timedelta(
            days=7 * index, hours=(index * 5) % 11, minutes=(index * 17) % 60, seconds=(index * 23) % 60
        )
        key = keys.get((project.name, spec.key)) if spec.key else None
        _, made = Image.objects.get_or_create(
            id=demo_uuid("image", f"{project.name}:{spec.name}"),
            defaults={
                "project": project,
                "name": spec.name,
                "description": spec.description,
                "status": spec.status,
                "image_type": spec.image_type,
                "os_type": spec.os_type,
                "os_version": spec.os_version,
                "disk_format": "iso" if spec.image_type == ImageType.ISO else "zvhd2",
                "min_disk": spec.min_disk,
                "size": spec.min_disk * 1024**3 // 7 + index * 104_857_600,
                "key": key,
                "backup_source": spec.backup_source,
                "tags": dict(spec.tags),
                "created_at": created_at,
                "updated_at": created_at,
            },
        )
        return int(made)


def _seed_caller(project: Project) -> Caller:
    return Caller(
        user_id=None, username="seed_demo", account_id=project.account_id, project_id=project.id, role=Membership.Role.ADMIN, source_ip="127.0.0.1",
    )
