import { createPermission } from '@backstage/plugin-permission-common';

/*
 * Permissions of the delivery and observability plugins: CI/CD, config push,
 * monitoring, the image registry and Kubernetes. They are listed once, in
 * {@link deliveryPermissions}, which the list of every opsdeck permission
 * (permissions.ts) spreads.
 */

/** See a component's CI builds (Jenkins), their stages and the located cause of a failure. */
export const cicdBuildReadPermission = createPermission({
  name: 'opsdeck.cicd.build.read',
  attributes: { action: 'read' },
});

/**
 * Start a component's CI job again (Jenkins rebuild): of the components
 * one's groups own, or of any with {@link cicdAnyOwnerPermission}.
 */
export const cicdBuildRebuildPermission = createPermission({
  name: 'opsdeck.cicd.build.rebuild',
  attributes: { action: 'update' },
});

/**
 * Start CI jobs again of components owned by groups one is not a member
 * of; without it a person rebuilds only their own groups' components.
 */
export const cicdAnyOwnerPermission = createPermission({
  name: 'opsdeck.cicd.owner.any',
  attributes: { action: 'update' },
});

// --- configuration management (plugins/config-backend) -------------------

/** See config sets, their versions, diffs, per-host previews, releases and drift. */
export const configReadPermission = createPermission({
  name: 'opsdeck.config.read',
  attributes: { action: 'read' },
});

/** Create and change config sets and save new versions of their templates. */
export const configEditPermission = createPermission({
  name: 'opsdeck.config.edit',
  attributes: { action: 'update' },
});

/** Push a version to hosts (validate, swap, reload, check), roll back, adopt a live file. */
export const configPushPermission = createPermission({
  name: 'opsdeck.config.push',
  attributes: { action: 'update' },
});

/** Push to hosts whose environment is prod (besides config.push). */
export const configPushProdPermission = createPermission({
  name: 'opsdeck.config.push.prod',
  attributes: { action: 'update' },
});

// --- monitoring and alerts (plugins/monitoring-backend) ----------------------

/**
 * Read Prometheus service discovery (every catalog host, database and cache
 * with its exporter address). Meant for Prometheus' static external-access
 * token, restricted to this permission; no role has it.
 */
export const monitoringSdReadPermission = createPermission({
  name: 'opsdeck.monitoring.sd.read',
  attributes: { action: 'read' },
});

/**
 * Post Alertmanager webhook notifications to the alert router. Meant for
 * Alertmanager's static external-access token; no role has it.
 */
export const monitoringAlertReceivePermission = createPermission({
  name: 'opsdeck.monitoring.alert.receive',
  attributes: { action: 'create' },
});

/** List received alerts and every delivery attempt of the alert router. */
export const monitoringAlertReadPermission = createPermission({
  name: 'opsdeck.monitoring.alert.read',
  attributes: { action: 'read' },
});

/** Send a test alert through a notification channel (the real delivery path). */
export const monitoringChannelTestPermission = createPermission({
  name: 'opsdeck.monitoring.channel.test',
  attributes: { action: 'create' },
});

/**
 * Create, edit and delete alert rules (from templates); each change is
 * validated by promtool, versioned and audited. Reading rules needs
 * opsdeck.monitoring.alert.read.
 */
export const monitoringRuleManagePermission = createPermission({
  name: 'opsdeck.monitoring.rule.manage',
  attributes: { action: 'update' },
});

/**
 * Create and edit script probes (a short sh/bash script opsdeck runs on a
 * host over SSH at every probe interval): running code on hosts, so beyond
 * opsdeck.monitoring.rule.manage, which every probe change needs too.
 */
export const monitoringProbeScriptPermission = createPermission({
  name: 'opsdeck.monitoring.probe.script',
  attributes: { action: 'update' },
});

/** Create and expire Alertmanager silences. */
export const monitoringSilenceManagePermission = createPermission({
  name: 'opsdeck.monitoring.silence.manage',
  attributes: { action: 'update' },
});

/**
 * Acknowledge (and un-acknowledge) a firing alert, which stops its
 * escalation and reminders. Also needed: the caller can read the alert's
 * entity in the catalog and is a member of its owner group, or holds
 * opsdeck.monitoring.rule.manage (any owner).
 */
export const monitoringAlertAcknowledgePermission = createPermission({
  name: 'opsdeck.monitoring.alert.acknowledge',
  attributes: { action: 'update' },
});

/**
 * See an entity's monitoring charts (fixed panels; the entity must also be
 * readable in the catalog by the caller).
 */
export const monitoringMetricsReadPermission = createPermission({
  name: 'opsdeck.monitoring.metrics.read',
  attributes: { action: 'read' },
});

// --- image registry (plugins/registry-backend) ---------------------------

/** Browse a registry's repositories, tags, manifests, layers and retention dry runs. */
export const registryReadPermission = createPermission({
  name: 'opsdeck.registry.read',
  attributes: { action: 'read' },
});

/** Delete a tag's manifest from a registry (refused while its digest runs). */
export const registryTagDeletePermission = createPermission({
  name: 'opsdeck.registry.tag.delete',
  attributes: { action: 'delete' },
});

// --- CI/CD failure locator's stored causes (plugins/cicd-backend) ----------

/** Add causes to the failure locator's knowledge base and delete stored ones. */
export const cicdCauseManagePermission = createPermission({
  name: 'opsdeck.cicd.cause.manage',
  attributes: { action: 'update' },
});

/**
 * See the CI/CD build alerts whose delivery was given up (every component's)
 * and send one again now.
 */
export const cicdAlertManagePermission = createPermission({
  name: 'opsdeck.cicd.alert.manage',
  attributes: { action: 'update' },
});

// --- Kubernetes (plugins/kubernetes-backend-module-opsdeck) --------------

/** Restart a component's deployment (a new rollout of the same template). */
export const kubernetesDeploymentRestartPermission = createPermission({
  name: 'opsdeck.kubernetes.deployment.restart',
  attributes: { action: 'update' },
});

/** Set the replicas of a component's deployment. */
export const kubernetesDeploymentScalePermission = createPermission({
  name: 'opsdeck.kubernetes.deployment.scale',
  attributes: { action: 'update' },
});

/**
 * Deploy an image to a component's deployment (the container's image set to
 * a digest-pinned image of a registry opsdeck knows) and roll it back to the
 * previous ReplicaSet's pod template.
 */
export const kubernetesDeploymentImagePermission = createPermission({
  name: 'opsdeck.kubernetes.deployment.image',
  attributes: { action: 'update' },
});

/** Delete one of a component's pods (its controller starts a new one). */
export const kubernetesPodDeletePermission = createPermission({
  name: 'opsdeck.kubernetes.pod.delete',
  attributes: { action: 'delete' },
});

/**
 * Act on components owned by groups one is not a member of; without it a
 * person acts only on workloads of components their groups own.
 */
export const kubernetesAnyOwnerPermission = createPermission({
  name: 'opsdeck.kubernetes.owner.any',
  attributes: { action: 'update' },
});

/**
 * The stricter permission every action needs in addition when the cluster's
 * environment is prod (or production).
 */
export const kubernetesProdChangePermission = createPermission({
  name: 'opsdeck.kubernetes.prod.change',
  attributes: { action: 'update' },
});

/** The monitoring backend's permissions (it registers them). */
export const monitoringPermissions = [
  monitoringSdReadPermission,
  monitoringAlertReceivePermission,
  monitoringAlertReadPermission,
  monitoringChannelTestPermission,
  monitoringRuleManagePermission,
  monitoringProbeScriptPermission,
  monitoringSilenceManagePermission,
  monitoringMetricsReadPermission,
  monitoringAlertAcknowledgePermission,
];

/** The Kubernetes module's permissions (it registers them). */
export const kubernetesPermissions = [
  kubernetesDeploymentRestartPermission,
  kubernetesDeploymentScalePermission,
  kubernetesDeploymentImagePermission,
  kubernetesPodDeletePermission,
  kubernetesAnyOwnerPermission,
  kubernetesProdChangePermission,
];

/** Every permission of this file (part of opsdeckPermissions in permissions.ts). */
export const deliveryPermissions = [
  cicdBuildReadPermission,
  cicdBuildRebuildPermission,
  cicdAnyOwnerPermission,
  configReadPermission,
  configEditPermission,
  configPushPermission,
  configPushProdPermission,
  ...monitoringPermissions,
  registryReadPermission,
  registryTagDeletePermission,
  cicdCauseManagePermission,
  cicdAlertManagePermission,
  ...kubernetesPermissions,
];
