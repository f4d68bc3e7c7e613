//! Per team: its Namespace, RoleBindings to the OIDC identities of its
//! people, ResourceQuota and LimitRange.

use std::collections::{BTreeMap, HashMap};

use k8s_openapi::api::core::v1::{
    LimitRange, LimitRangeItem, LimitRangeSpec, Namespace, ResourceQuota, ResourceQuotaSpec,
};
use k8s_openapi::api::rbac::v1::{RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::{Objects, gpu, team_meta};
use crate::model::{self, Level, Site, Team, User};
use crate::plan::Plan;

/// OIDC: the API server's `--oidc-username-claim=email` and
/// `--oidc-username-prefix=oidc:` make a user `oidc:<email>`.
pub const OIDC_PREFIX: &str = "oidc:";
/// PodNodeSelector admission reads this namespace annotation.
const NODE_SELECTOR: &str = "scheduler.alpha.kubernetes.io/node-selector";

pub fn render(plan: &Plan, objs: &mut Objects) -> Result<(), String> {
    let users = Users::new(plan.site);
    for team in &plan.teams {
        namespace(team, objs)?;
        rbac(&users, team, objs)?;
        quota(plan.site, team, objs)?;
        limit_range(team, objs)?;
    }
    Ok(())
}

fn namespace(team: &Team, objs: &mut Objects) -> Result<(), String> {
    let mut meta = team_meta(team.namespace(), None, &team.name);
    let mut notes = BTreeMap::new();
    if let Some(sel) = &team.node_selector {
        notes.insert(NODE_SELECTOR.to_string(), sel.clone());
    }
    if let Some(d) = &team.description {
        notes.insert("bosun.io/description".to_string(), d.clone());
    }
    if let Some(i) = &team.institution {
        notes.insert("bosun.io/institution".to_string(), i.clone());
    }
    meta.annotations = (!notes.is_empty()).then_some(notes);
    objs.add("namespaces", &Namespace { metadata: meta, ..Namespace::default() })
}

/// The built-in ClusterRole a person gets in a team: guests `view` (they are
/// read-only everywhere), team admins `admin`, other members `edit`.
pub fn role_of(team: &Team, user: &User) -> &'static str {
    if user.level == Level::Guest {
        "view"
    } else if team.admin.contains(&user.name) {
        "admin"
    } else {
        "edit"
    }
}

/// The site's users by name, for looking up the people of many teams.
pub struct Users<'a>(HashMap<&'a str, &'a User>);

impl<'a> Users<'a> {
    pub fn new(site: &'a Site) -> Self {
        let mut by_name = HashMap::with_capacity(site.users.len());
        for user in &site.users {
            by_name.entry(user.name.as_str()).or_insert(user);
        }
        Users(by_name)
    }

    /// The team's people (admins and members), each once, sorted by name.
    pub fn of(&self, team: &Team) -> Vec<&'a User> {
        let mut names: Vec<&String> = team.admin.iter().chain(&team.member).collect();
        names.sort();
        names.dedup();
        names.into_iter().filter_map(|n| self.0.get(n.as_str()).copied()).collect()
    }
}

fn rbac(users: &Users, team: &Team, objs: &mut Objects) -> Result<(), String> {
    let mut by_role: BTreeMap<&str, Vec<Subject>> = BTreeMap::new();
    for user in users.of(team) {
        // Without an email the user has no OIDC identity to bind.
        let Some(email) = &user.email else { continue };
        by_role.entry(role_of(team, user)).or_default().push(Subject {
            api_group: Some("rbac.authorization.k8s.io".to_string()),
            kind: "User".to_string(),
            name: format!("{OIDC_PREFIX}{email}"),
            namespace: None,
        });
    }
    for (role, subjects) in by_role {
        let binding = RoleBinding {
            metadata: team_meta(role, Some(team.namespace()), &team.name),
            role_ref: RoleRef {
                api_group: Some("rbac.authorization.k8s.io".to_string()),
                kind: "ClusterRole".to_string(),
                name: role.to_string(),
            },
            subjects: Some(subjects),
        };
        objs.add("rbac", &binding)?;
    }
    Ok(())
}

fn q(v: &model::Quantity) -> Quantity {
    Quantity(v.to_string())
}

/// The hard limits of a team's ResourceQuota, in resource-name order.
pub fn hard(site: &Site, team: &Team) -> BTreeMap<String, Quantity> {
    let mut hard = BTreeMap::new();
    let Some(quota) = &team.quota else { return hard };
    for (key, v) in
        [("requests.cpu", &quota.cpu), ("requests.memory", &quota.memory), ("requests.storage", &quota.storage)]
    {
        if let Some(v) = v {
            hard.insert(key.to_string(), q(v));
        }
    }
    if let (Some(gpus), Some(pool)) = (quota.gpu, site.quota_pool(team)) {
        for (resource, n) in gpu::team_gpus(pool, gpus) {
            hard.insert(format!("requests.{resource}"), Quantity(n.to_string()));
        }
    }
    hard
}

fn quota(site: &Site, team: &Team, objs: &mut Objects) -> Result<(), String> {
    let hard = hard(site, team);
    if hard.is_empty() {
        return Ok(());
    }
    let rq = ResourceQuota {
        metadata: team_meta("quota", Some(team.namespace()), &team.name),
        spec: Some(ResourceQuotaSpec { hard: Some(hard), ..ResourceQuotaSpec::default() }),
        ..ResourceQuota::default()
    };
    objs.add("quotas", &rq)
}

fn limit_range(team: &Team, objs: &mut Objects) -> Result<(), String> {
    let Some(lr) = &team.limit_range else { return Ok(()) };
    let pair = |cpu: &Option<model::Quantity>, mem: &Option<model::Quantity>| {
        let mut m = BTreeMap::new();
        if let Some(c) = cpu {
            m.insert("cpu".to_string(), q(c));
        }
        if let Some(x) = mem {
            m.insert("memory".to_string(), q(x));
        }
        (!m.is_empty()).then_some(m)
    };
    let default = pair(&lr.default_cpu, &lr.default_memory);
    let item = LimitRangeItem {
        type_: "Container".to_string(),
        // A container that sets nothing gets the default as request and limit.
        default: default.clone(),
        default_request: default,
        max: pair(&lr.max_cpu, &lr.max_memory),
        ..LimitRangeItem::default()
    };
    let obj = LimitRange {
        metadata: team_meta("limits", Some(team.namespace()), &team.name),
        spec: Some(LimitRangeSpec { limits: vec![item] }),
    };
    objs.add("quotas", &obj)
}
