//! Where a scenario's manifests come from: `nodes` and `workloads` are lists
//! whose items are inline manifests or `{file: path}` references to manifest
//! files (multi-document, `kind: List`), read relative to the scenario's
//! directory; problems in a referenced file name that file. An arrival's
//! `template` and an `arrivals` item may be `{file: path}` too.

use super::objects;
use crate::input::decode::{Ctx, MapReader};
use crate::input::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::input::source::ReadError;
use crate::input::yaml::{parse_documents, parse_single, Node as Yaml};
use crate::model::ResourceNames;
use std::path::{Path, PathBuf};

/// `workloads` and `nodes`: a list whose items are inline manifests or `{file: path}`.
pub(super) fn decode_sources(
    ctx: &mut Ctx,
    list: &Yaml,
    base_dir: &Path,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
) -> objects::Objects {
    let mut all = objects::Objects::default();
    let Some(items) = ctx.seq(list) else {
        return all;
    };
    for (i, item) in items.iter().enumerate() {
        let mut ictx = ctx.index(i);
        let objects = match file_reference(&mut ictx, item) {
            Some(Some(path)) => {
                decode_file(&mut ictx, item.pos, &base_dir.join(&path), names, warnings)
            }
            Some(None) => continue,
            None => objects::decode_objects(&mut ictx, std::slice::from_ref(item), names, warnings),
        };
        all.pods.extend(objects.pods);
        all.pod_sites.extend(objects.pod_sites);
        all.snapshot_times.extend(objects.snapshot_times);
        all.nodes.extend(objects.nodes);
        all.node_sites.extend(objects.node_sites);
        all.workloads.extend(objects.workloads);
        all.priority_classes.extend(objects.priority_classes);
        all.pdbs.extend(objects.pdbs);
        all.autoscalers.extend(objects.autoscalers);
    }
    all
}

/// `{file: path}` → Some(Some(path)); a malformed reference → Some(None) (reported); a manifest → None.
pub(super) fn file_reference(ctx: &mut Ctx, item: &Yaml) -> Option<Option<PathBuf>> {
    let crate::input::yaml::Value::Map(entries) = &item.value else {
        return None;
    };
    let has_file = entries
        .iter()
        .any(|(k, _)| k.scalar_text().as_deref() == Some("file"));
    if !has_file {
        return None;
    }
    let mut m = MapReader::new(ctx, item)?;
    let path = m.req(ctx, "file").and_then(|n| ctx.field("file").str(n));
    m.finish(ctx);
    Some(path.map(PathBuf::from))
}

/// Reads a manifest file (multi-document, `kind: List`); its errors name that file.
pub(super) fn decode_file(
    ctx: &mut Ctx,
    pos: Pos,
    path: &Path,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
) -> objects::Objects {
    let text = match crate::input::source::read_utf8(path, "the manifest file") {
        Ok(t) => t,
        Err(ReadError::Io(e)) => {
            ctx.field("file")
                .error(pos, format!("cannot read {}: {e}", path.display()));
            return objects::Objects::default();
        }
        Err(ReadError::NotUtf8(d)) => {
            ctx.sink().push(d);
            return objects::Objects::default();
        }
    };
    let file = path.display().to_string();
    match parse_documents(&file, &text) {
        Ok(docs) => {
            let mut fctx = Ctx::new(&file, ctx.sink());
            objects::decode_objects(&mut fctx, &docs, names, warnings)
        }
        Err(Diagnostics(errs)) => {
            ctx.sink().extend(errs);
            objects::Objects::default()
        }
    }
}

/// Reads and parses an included file that holds one YAML document (an
/// `arrivals` item's or an arrival `template`'s `{file: path}`): its name as errors show it and the
/// document, or `None` with the problem reported (a read error at the
/// reference's `file`, a parse error in the included file).
pub(super) fn read_included(ctx: &mut Ctx, pos: Pos, path: &Path) -> Option<(String, Yaml)> {
    let text = match crate::input::source::read_utf8(path, "the included file") {
        Ok(t) => t,
        Err(ReadError::Io(e)) => {
            ctx.field("file")
                .error(pos, format!("cannot read {}: {e}", path.display()));
            return None;
        }
        Err(ReadError::NotUtf8(d)) => {
            ctx.sink().push(d);
            return None;
        }
    };
    let file = path.display().to_string();
    match parse_single(&file, &text) {
        Ok(doc) => Some((file, doc)),
        Err(Diagnostics(errs)) => {
            ctx.sink().extend(errs);
            None
        }
    }
}
