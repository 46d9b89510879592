"""deploy/: the compose file against the Compose Specification's JSON schema, the Helm values against the
shape of Frappe's chart (its own values.yaml) with their Kubernetes parts against Kubernetes' schemas, and
the plain manifests against Kubernetes' schemas. No image is built or pulled here (deploy/README.md).

Schemas: ``deploy/schemas/compose-spec.json`` is ``schema/compose-spec.json`` of github.com/compose-spec/
compose-spec (commit a08f8d51631b7127ddac3d2c65537db429d0f1d0, 2025-10-28), vendored unchanged;
``deploy/schemas/erpnext-chart-values.yaml`` is ``erpnext/values.yaml`` of github.com/frappe/helm (commit
9267632b287516305b4096835a2a4a8873ad2706, chart 8.0.75); Kubernetes' own schemas come with the
``kubernetes-validate`` package (PyPI)."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
# Values the chart copies into its manifests as they are (toYaml): checked against Kubernetes' schemas.
KUBERNETES_OBJECTS = {
	"livenessProbe",
	"readinessProbe",
	"probe",
	"resources",
	"podAnnotations",
	"annotations",
}
K8S_VERSION = "1.30"  # the oldest Kubernetes release the manifests must suit (the chart's HPA is v2)


def load(path: Path):
	return yaml.safe_load(path.read_text())


def test_compose_file_validates_against_the_compose_spec():
	schema = json.loads((DEPLOY / "schemas" / "compose-spec.json").read_text())
	compose = load(DEPLOY / "compose.yaml")
	jsonschema.Draft7Validator.check_schema(schema)
	errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(compose), key=lambda e: list(e.path))
	assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def _compose_cli() -> list[str] | None:
	"""Docker's compose plugin (v2) when it answers, else Compose v1 (Debian's docker-compose), else None."""
	if shutil.which("docker"):
		probe = subprocess.run(["docker", "compose", "version"], check=False, capture_output=True, text=True)
		if probe.returncode == 0:
			return ["docker", "compose"]
	return ["docker-compose"] if shutil.which("docker-compose") else None


def test_compose_config_accepts_the_file(tmp_path):
	"""``docker compose config`` (or Compose v1's ``docker-compose config``) reads the file, interpolates it and
	finds every service; nothing is pulled or started."""
	cli = _compose_cli()
	if cli is None:
		pytest.skip("neither Docker's compose plugin nor docker-compose is installed here")
	for name in ("admin_password", "db_root_password", "metrics_token"):
		(tmp_path / name).write_text("x\n")
	env = {**os.environ, "SECRETS_DIR": str(tmp_path)}
	run = subprocess.run(
		[*cli, "-f", str(DEPLOY / "compose.yaml"), "config", "--services"],
		check=False,
		capture_output=True,
		text=True,
		env=env,
	)
	assert run.returncode == 0, run.stderr
	assert set(run.stdout.split()) == set(load(DEPLOY / "compose.yaml")["services"])


def test_compose_schema_check_catches_a_mistake():
	"""The check is not vacuous: a misspelt key and a wrong type are refused."""
	schema = json.loads((DEPLOY / "schemas" / "compose-spec.json").read_text())
	compose = load(DEPLOY / "compose.yaml")
	compose["services"]["backend"]["restartt"] = "always"
	compose["services"]["db"]["ports"] = "3306:3306"
	assert len(list(jsonschema.Draft7Validator(schema).iter_errors(compose))) >= 2


def test_compose_runs_every_role_of_a_frappe_bench():
	services = load(DEPLOY / "compose.yaml")["services"]
	commands = {name: " ".join(map(str, s.get("command") or [])) for name, s in services.items()}
	assert "frappe.app:application" in commands["backend"]
	assert "socketio.js" in commands["websocket"]
	assert "nginx-entrypoint.sh" in commands["frontend"]
	for queue in ("short", "default", "long"):
		assert commands[f"queue-{queue}"] == f"bench worker --queue {queue}"
	assert commands["scheduler"] == "bench schedule"
	assert services["db"]["image"].startswith("mariadb:")
	assert {"redis-cache", "redis-queue", "configurator", "create-site"} <= set(services)
	assert "install-app pinjaman_online" in commands["create-site"]
	# only the nginx front publishes a port
	assert [n for n, s in services.items() if s.get("ports")] == ["frontend"]


def _upstream_values() -> tuple[dict, str]:
	path = DEPLOY / "schemas" / "erpnext-chart-values.yaml"
	return load(path), path.read_text()


def _walk(ours, theirs, text: str, path: str, problems: list):
	for key, value in ours.items():
		where = f"{path}.{key}" if path else key
		if not isinstance(theirs, dict) or key not in theirs:
			# a key the chart documents as a commented-out option ("# dbHost: ...") is one of its values too
			if not re.search(rf"^\s*#\s*{re.escape(key)}:", text, re.MULTILINE):
				problems.append(f"{where}: not a value of the chart")
			continue
		upstream = theirs[key]
		if key in KUBERNETES_OBJECTS:
			if type(value) is not type(upstream):
				problems.append(
					f"{where}: a {type(upstream).__name__} in the chart, {type(value).__name__} here"
				)
			continue  # its inside is Kubernetes' (checked against Kubernetes' schemas below)
		if isinstance(upstream, dict) and upstream:
			if not isinstance(value, dict):
				problems.append(f"{where}: a mapping in the chart, {type(value).__name__} here")
			else:
				_walk(value, upstream, text, where, problems)
		elif isinstance(upstream, list) and not isinstance(value, list):
			problems.append(f"{where}: a list in the chart, {type(value).__name__} here")
		elif isinstance(upstream, bool) and not isinstance(value, bool):
			problems.append(f"{where}: a boolean in the chart, {type(value).__name__} here")


def test_helm_values_have_the_charts_shape():
	ours = load(DEPLOY / "helm" / "values.yaml")
	theirs, text = _upstream_values()
	problems: list[str] = []
	_walk(ours, theirs, text, "", problems)
	assert not problems, "\n".join(problems)
	assert ours["image"]["repository"] and "erpnext" not in ours["image"]["repository"]
	assert ours["jobs"]["createSite"]["installApps"] == ["pinjaman_online"]


def test_helm_shape_check_catches_a_mistake():
	theirs, text = _upstream_values()
	problems: list[str] = []
	_walk(
		{"worker": {"gunicorn": {"replicaCount": 2, "replicas": 2}}, "ingress": {"hosts": "x"}},
		theirs,
		text,
		"",
		problems,
	)
	assert len(problems) == 2, problems


def _pod(name: str, container: dict, annotations=None) -> dict:
	return {
		"apiVersion": "v1",
		"kind": "Pod",
		"metadata": {"name": name, "annotations": annotations or {}},
		"spec": {"containers": [{"name": name, "image": "registry.example/pinjaman-online:1", **container}]},
	}


def _kubernetes_objects_of_values(values: dict) -> list[dict]:
	"""The Kubernetes objects the chart's templates make from our values (probes, env, resources,
	annotations; the ingress), assembled as the templates place them, for Kubernetes' own schemas."""
	objects = []
	for role, section in {
		**values["worker"],
		"nginx": values["nginx"],
		"socketio": values["socketio"],
	}.items():
		container = {"env": section.get("envVars") or [], "resources": section.get("resources") or {}}
		for probe in ("livenessProbe", "readinessProbe"):
			spec = section.get(probe)
			if spec and "override" not in spec:
				container[probe] = spec
			elif spec and spec.get("override"):
				container[probe] = spec["probe"]
		objects.append(_pod(role, container, section.get("podAnnotations")))
	ingress = values["ingress"]
	objects.append(
		{
			"apiVersion": "networking.k8s.io/v1",
			"kind": "Ingress",
			"metadata": {"name": ingress["ingressName"], "annotations": ingress["annotations"]},
			"spec": {
				"ingressClassName": ingress["className"],
				"tls": ingress["tls"],
				"rules": [
					{
						"host": host["host"],
						"http": {
							"paths": [
								{
									**path,
									"backend": {
										"service": {"name": "pinjaman-erpnext", "port": {"number": 8080}}
									},
								}
								for path in host["paths"]
							]
						},
					}
					for host in ingress["hosts"]
				],
			},
		}
	)
	configure = values["jobs"]["configure"]
	objects.append(
		{
			"apiVersion": "batch/v1",
			"kind": "Job",
			"metadata": {"name": "configure"},
			"spec": {
				"template": {
					"spec": {
						"restartPolicy": "Never",
						"containers": [
							{
								"name": "configure",
								"image": "registry.example/pinjaman-online:1",
								"command": ["bash", "-c"],
								"args": configure["args"],
								"env": configure["envVars"],
							}
						],
					}
				}
			},
		}
	)
	return objects


def test_kubernetes_parts_of_the_helm_values_validate():
	objects = _kubernetes_objects_of_values(load(DEPLOY / "helm" / "values.yaml"))
	for obj in objects:
		kubernetes_validate.validate(obj, K8S_VERSION, strict=True)
	assert len(objects) >= 9


@pytest.mark.parametrize("manifest", sorted((DEPLOY / "kubernetes").glob("*.yaml")), ids=lambda p: p.name)
def test_kubernetes_manifests_validate(manifest):
	for obj in yaml.safe_load_all(manifest.read_text()):
		kubernetes_validate.validate(obj, K8S_VERSION, strict=True)


def test_kubernetes_check_catches_a_mistake():
	values = load(DEPLOY / "helm" / "values.yaml")
	values["worker"]["gunicorn"]["readinessProbe"]["httpGet"]["port"] = [8000]
	pod = _kubernetes_objects_of_values(values)[0]
	with pytest.raises(kubernetes_validate.ValidationError):
		kubernetes_validate.validate(pod, K8S_VERSION, strict=True)


def test_containerfile_builds_on_frappes_images():
	text = (DEPLOY / "Containerfile").read_text()
	assert "FROM ${FRAPPE_IMAGE_PREFIX}/build:${FRAPPE_BRANCH} AS builder" in text
	assert "FROM ${FRAPPE_IMAGE_PREFIX}/base:${FRAPPE_BRANCH} AS backend" in text
	assert "ARG FRAPPE_BRANCH=version-15" in text
	assert "bench build --production --app pinjaman_online" in text
	for copied in re.findall(r"^COPY (?:--\S+ )*(\S+) ", text, re.MULTILINE):
		if not copied.startswith("/"):
			assert (ROOT / copied).exists(), copied
