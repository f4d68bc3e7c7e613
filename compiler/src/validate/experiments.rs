//! Experiments and the template packs a team may use (docs/packs.md,
//! "Experiments"): each names a Nauta template pack of the site that its
//! team lists, an owner who belongs to the team, and a registry with a port.

use std::collections::HashMap;

use super::Ctx;
use crate::diag::{Diagnostic, codes};
use crate::model::Team;

codes! {
    PACK = "bosun::experiment::pack", Error,
        "an experiment, or a team's `template-pack`, names no Nauta template pack the team may use",
        "declare the template pack with `pack \"NAME\" source=\"DIR\"` (DIR holding charts/), and list it in the team with `template-pack \"NAME\"`";
    OWNER = "bosun::experiment::owner", Error,
        "an experiment's owner is not an admin or member of its team",
        "name a user of the team as `owner`, or add the user to the team";
    REGISTRY = "bosun::experiment::registry", Error,
        "an experiment has no registry to push its image to, or the registry has no port",
        "name one of the site's `registry` addresses (HOST:PORT) with `registry \"…\"` in the experiment";
    STORAGE = "bosun::experiment::storage", Error,
        "a team runs experiments, and the site has no nfs backend `input` or `output` for the claims template packs mount",
        "add `nfs \"input\" …` and `nfs \"output\" …` to `storage`: experiments mount their folders as input-home, input-public, output-home and output-public";
    DUPLICATE = "bosun::experiment::duplicate", Error,
        "two experiments of a team share a name (the name of their Helm release)",
        "rename one of them";
}

pub fn check(cx: &mut Ctx) {
    storage(cx);
    for team in &cx.site.teams {
        template_packs(cx, team);
        let mut seen: HashMap<&str, &str> = HashMap::new();
        for e in &team.experiment {
            if let Some(first) = seen.insert(&e.name, &e.at.0) {
                let d = Diagnostic::new(&DUPLICATE, format!("team `{}` has two experiments `{}`", team.name, e.name))
                    .label_opt(cx.span(&e.at.at("name")), "named again here")
                    .label_opt(cx.span(&format!("{first}/name")), "first here");
                cx.push(d);
            }
            pack(cx, team, &e.pack, &e.at.at("pack"));
            if !team.admin.contains(&e.owner) && !team.member.contains(&e.owner) {
                let d = Diagnostic::new(
                    &OWNER,
                    format!("experiment `{}` belongs to `{}`, who is not in team `{}`", e.name, e.owner, team.name),
                )
                .label_opt(cx.span(&e.at.at("owner")), "not an admin or member of the team");
                cx.push(d);
            }
            registry(cx, e);
        }
    }
}

fn template_packs(cx: &mut Ctx, team: &Team) {
    for (i, name) in team.template_pack.iter().enumerate() {
        if cx.site.template_pack(name).is_none() && !cx.incomplete {
            let d = Diagnostic::new(&PACK, format!("team `{}` lists `{name}`, which is no template pack", team.name))
                .label_opt(cx.span(&team.at.at(&format!("template-pack/{i}"))), not_template(cx, name));
            cx.push(d);
        }
    }
}

fn not_template(cx: &Ctx, name: &str) -> String {
    match cx.site.packs.iter().find(|p| p.name == name) {
        Some(_) => format!("pack `{name}` is not a Nauta template pack (a folder with charts/)"),
        None => format!("the site declares no pack `{name}`"),
    }
}

fn pack(cx: &mut Ctx, team: &Team, name: &str, ptr: &str) {
    let label = if cx.site.template_pack(name).is_none() {
        if cx.incomplete {
            return;
        }
        not_template(cx, name)
    } else if !team.may_use(name) {
        format!("team `{}` does not list it as a `template-pack`", team.name)
    } else {
        return;
    };
    let d = Diagnostic::new(&PACK, format!("team `{}` cannot run experiments from `{name}`", team.name))
        .label_opt(cx.span(ptr), label);
    cx.push(d);
}

fn registry(cx: &mut Ctx, e: &crate::model::experiment::Experiment) {
    let site = cx.site;
    let (span, why) = match site.experiment_registry(e) {
        Some(r) if r.rsplit_once(':').is_some_and(|(_, p)| p.parse::<u16>().is_ok()) => return,
        Some(r) => (e.registry.as_ref().map(|_| e.at.at("registry")), format!("`{r}` has no port")),
        None if e.registry.is_some() => (Some(e.at.at("registry")), "not a `registry` of the site".to_string()),
        None => {
            let n = site.settings.as_ref().map_or(0, |s| s.registry.iter().filter(|r| r.mirror_of.is_none()).count());
            (None, format!("the site has {n} registries that are not mirrors; name one"))
        }
    };
    let span = span.and_then(|p| cx.span(&p)).or_else(|| cx.span(&e.at.at("name")));
    let d = Diagnostic::new(&REGISTRY, format!("experiment `{}` has no registry for its image", e.name))
        .label_opt(span, why);
    cx.push(d);
}

/// The claims experiments mount live on the `input` and `output` shares.
fn storage(cx: &mut Ctx) {
    let site = cx.site;
    let missing: Vec<&str> = crate::model::experiment::SHARES
        .iter()
        .copied()
        .filter(|s| !site.storage.nfs.iter().any(|n| n.name == *s))
        .collect();
    if missing.is_empty() {
        return;
    }
    if let Some(e) = site.teams.iter().flat_map(|t| &t.experiment).next() {
        let d = Diagnostic::new(
            &STORAGE,
            format!(
                "experiments mount claims on the `input` and `output` shares; the site has no nfs `{}`",
                missing.join("`, `")
            ),
        )
        .label_opt(
            cx.span(&e.at.at("name")),
            "this experiment's pods mount input-home, input-public, output-home and output-public",
        );
        cx.push(d);
    }
}
