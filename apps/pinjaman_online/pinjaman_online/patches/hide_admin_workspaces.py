"""Existing sites: Frappe's administration workspaces (Users, Website, Tools, Integrations, Build…) shown in the
sidebar of System Managers only (``desk.workspaces``); new sites get it from after_install, and every migrate
applies it again after Frappe re-imports a changed workspace file."""

from pinjaman_online.desk.workspaces import restrict_admin_workspaces


def execute():
	restrict_admin_workspaces()
