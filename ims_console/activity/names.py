"""Names for the IDs Activity shows: a project's own images by their names now, another tenant's image by the name
its job recorded (never by its name now, which a former recipient must not learn), projects by the console's
records or, in OpenStack mode, the lookup account."""

from __future__ import annotations

from collections.abc import Iterable

from images.models import Image
from ims_console.activity.models import Job
from ims_console.backends import get_backend
from ims_console.core.ids import parse_uuid
from ims_console.identity import project_lookup
from ims_console.identity.models import Project


def names_for(project_id: str, image_ids: Iterable[str], project_ids: Iterable[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Image and project names for some IDs, in two queries. Images: the names now of the project's own images
    only; another tenant's image is named as its job recorded it (image_name), never by its name now, which a
    former recipient must not learn. In OpenStack mode the projects are Keystone's, named by the lookup account
    where one is configured (cached; no names, not an error, when Keystone cannot say)."""
    images_wanted = {i for i in image_ids if parse_uuid(i)}
    projects_wanted = {p for p in project_ids if p}
    found = (Image.objects.filter(pk__in=images_wanted, project_id=project_id).values_list("pk", "name")
             if images_wanted else [])
    images = {str(k): v for k, v in found}
    projects = dict(Project.objects.filter(pk__in=projects_wanted).values_list("pk", "name")) if projects_wanted else {}
    unnamed = sorted(projects_wanted - set(projects))
    if unnamed and "project_lookup" in get_backend().capabilities:
        projects.update({i: info.name for i, info in project_lookup.names(unnamed).items()})
    return images, projects


def names_of_results(project_id: str, results: list[dict]) -> tuple[dict[str, str], dict[str, str]]:
    return names_for(project_id, (r["image_id"] for r in results), (r.get("project_id", "") for r in results))


def image_name(result: dict, images: dict[str, str], recorded: dict[str, str]) -> str:
    """An own image's name now, else the name its job recorded (`recorded`, the job's entities' names; jobs of
    before kept it in each result), else ""."""
    image_id = result["image_id"]
    return images.get(image_id) or recorded.get(image_id) or result.get("image_name", "")


def recorded_names(job: Job) -> dict[str, str]:
    """The names the job's images had when it ran."""
    return (job.entities or {}).get("names", {})


def subjects(summary: dict, images: dict[str, str], projects: dict[str, str]) -> str:
    """ "web, db → eu-de_globex and 2 more": the first images and projects a job acted on, by name."""
    recorded = summary.get("names", {})

    def some(ids: list[str], count: int, names: dict[str, str]) -> str:
        shown = ", ".join(names.get(i) or recorded.get(i) or i for i in ids)
        return shown + (f" and {count - len(ids):,} more" if count > len(ids) else "")

    text = some(summary.get("images", []), summary.get("image_count", 0), images)
    if summary.get("projects"):
        text += " → " + some(summary["projects"], summary.get("project_count", 0), projects)
    return text
