use super::*;

/// Every row of `text` read as the kubesim format, or the problems shown as
/// `kubectl`-style lines.
fn read(format: TraceFormat, text: &str) -> Result<Vec<PodRow>, Vec<String>> {
    let shown = |d: Vec<Diagnostic>| d.iter().map(ToString::to_string).collect::<Vec<_>>();
    let mut reader = PodTraceReader::new("t.csv".into(), text.as_bytes(), format).map_err(shown)?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    while let Some(r) = reader.next_row() {
        match r {
            Ok(row) => rows.push(row),
            Err(e) => errors.extend(shown(e)),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

fn rows(text: &str) -> Vec<PodRow> {
    read(TraceFormat::Kubesim, text).unwrap_or_else(|e| panic!("{e:#?}"))
}

/// The one problem of a header and one row, as shown.
fn check(header: &str, row: &str, expect: &str) {
    let text = format!("{header}\n{row}\n");
    match read(TraceFormat::Kubesim, &text) {
        Ok(_) => panic!("{row:?} was accepted"),
        Err(e) => assert_eq!(e, vec![expect.to_string()], "{row:?}"),
    }
}

#[test]
fn good_rows_with_fractional_times_and_quantities() {
    let got = rows(
        "creation_time_s,name,namespace,labels,cpu,memory,cpu_limit,memory_limit,extended,run_time_s,exit_code,priority_class,template\n\
         0,a,,,250m,512Mi,,,,,,,\n\
         \n\
         1.5,b,team,app=web; tier=be,1.5,1Gi,2,2Gi,nvidia.com/gpu=1;example.com/foo=2,12.25,3,high,web\r\n\
         1.5000004,,,,,,,,,0.000001,,,\n",
    );
    assert_eq!(got.len(), 3);
    let (a, b, c) = (&got[0], &got[1], &got[2]);
    assert_eq!((a.line, a.index, a.creation), (2, 0, SimDuration::ZERO));
    assert_eq!(a.name.as_deref(), Some("a"));
    assert_eq!((a.cpu_millis, a.memory_bytes), (Some(250), Some(512 << 20)));
    assert_eq!(
        (a.namespace.as_ref(), a.run_time, a.exit_code),
        (None, None, None)
    );
    // The blank line is skipped but counted.
    assert_eq!(
        (b.line, b.index, b.creation),
        (4, 1, SimDuration(1_500_000))
    );
    assert_eq!(b.namespace.as_deref(), Some("team"));
    assert_eq!(
        b.labels,
        vec![("app".into(), "web".into()), ("tier".into(), "be".into())]
    );
    assert_eq!((b.cpu_millis, b.cpu_limit_millis), (Some(1500), Some(2000)));
    assert_eq!(
        (b.memory_bytes, b.memory_limit_bytes),
        (Some(1 << 30), Some(2 << 30))
    );
    assert_eq!(
        b.extended,
        vec![("nvidia.com/gpu".into(), 1), ("example.com/foo".into(), 2)]
    );
    assert_eq!(
        (b.run_time, b.exit_code),
        (Some(SimDuration(12_250_000)), Some(3))
    );
    assert_eq!(
        (b.priority_class.as_deref(), b.template.as_deref()),
        (Some("high"), Some("web"))
    );
    // A seventh decimal rounds up to the next microsecond.
    assert_eq!(c.creation, SimDuration(1_500_001));
    assert_eq!((c.name.as_ref(), c.run_time), (None, Some(SimDuration(1))));
    // Where the cells are, for problems found later.
    assert_eq!(b.at(Field::Template), (Pos::new(4, 91), "template"));
    assert_eq!(a.at(Field::GpuMilli), (Pos::new(2, 1), ""));
}

#[test]
fn equal_times_are_in_order_and_earlier_ones_are_not() {
    assert_eq!(rows("creation_time_s\n3\n3\n3.5\n").len(), 3);
    check(
        "creation_time_s,name",
        "5,a\n4.5,b\n6,c",
        "t.csv:3:1: creation_time_s: found 4.5, earlier than 5 on line 2; expected rows in \
         non-decreasing creation time (sort the file by this column)",
    );
}

#[test]
fn each_malformed_cell_is_reported_at_its_column() {
    let h = "creation_time_s,name,namespace,labels,cpu,memory,cpu_limit,extended,gpu_milli,gpu_count,gpu_models,priority_class,run_time_s,exit_code";
    for (row, expect) in [
        ("-1,,,,,,,,,,,,,", "t.csv:2:1: creation_time_s: found \"-1\"; expected seconds as a number ≥ 0 such as 12 or 0.25"),
        ("1e3,,,,,,,,,,,,,", "t.csv:2:1: creation_time_s: found \"1e3\"; expected seconds as a number ≥ 0 such as 12 or 0.25"),
        (",,,,,,,,,,,,,", "t.csv:2:1: creation_time_s: found \"\"; expected seconds as a number ≥ 0 such as 12 or 0.25"),
        ("0,Web_1,,,,,,,,,,,,", "t.csv:2:3: name: found \"Web_1\"; expected a pod name: lowercase letters, digits, '-' and '.', starting and ending alphanumeric, at most 253 characters"),
        ("0,,a.b,,,,,,,,,,,", "t.csv:2:4: namespace: found \"a.b\"; expected a namespace: lowercase letters, digits and '-', starting and ending alphanumeric, at most 63 characters"),
        ("0,,,app,,,,,,,,,,", "t.csv:2:5: labels: found \"app\"; expected key=value items separated by `;`"),
        ("0,,,a=1;-b=2,,,,,,,,,,", "t.csv:2:9: labels: label key \"-b\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"),
        ("0,,,,12x,,,,,,,,,", "t.csv:2:6: cpu: \"12x\" is not a quantity: unknown suffix \"x\" (expected a number with an optional suffix such as 100m, 0.5, 1Gi, 1G, 1e3)"),
        ("0,,,,,-1Mi,,,,,,,,", "t.csv:2:7: memory: found \"-1Mi\"; expected a quantity of at least 0"),
        ("0,,,,,,1.5.0,,,,,,,", "t.csv:2:8: cpu_limit: \"1.5.0\" is not a quantity: the number has more than one decimal point (expected a number with an optional suffix such as 100m, 0.5, 1Gi, 1G, 1e3)"),
        ("0,,,,,,,gpu=1,,,,,,", "t.csv:2:9: extended: found resource \"gpu\"; expected an extended resource with a domain prefix such as nvidia.com/gpu (cpu and memory have columns of their own)"),
        ("0,,,,,,,a.io/x=1;a.io/y=500m,,,,,,", "t.csv:2:18: extended: a.io/y=\"500m\"; expected a whole number of a.io/y (at least 0)"),
        ("0,,,,,,,,1001,,,,,", "t.csv:2:10: gpu_milli: found \"1001\"; expected an integer from 1 to 1000"),
        ("0,,,,,,,,,9,,,,", "t.csv:2:11: gpu_count: found \"9\"; expected an integer from 1 to 8"),
        ("0,,,,,,,,,,T4||A10,,,", "t.csv:2:12: gpu_models: found \"T4||A10\"; expected GPU model names separated by `|`, such as T4|A10"),
        ("0,,,,,,,,,,,High,,", "t.csv:2:13: priority_class: found \"High\"; expected the name of a PriorityClass"),
        ("0,,,,,,,,,,,,5m,", "t.csv:2:14: run_time_s: found \"5m\"; expected seconds as a number ≥ 0 such as 12 or 0.25"),
        ("0,,,,,,,,,,,,,256", "t.csv:2:15: exit_code: found \"256\"; expected an integer from 0 to 255"),
        ("0,,,,,,,,,,,,", "t.csv:2:14: exit_code: missing column `exit_code`: the row has 13 field(s), the header 14"),
        ("0,,,,,,,,,,,,,,", "t.csv:2:16: the row has 15 fields, the header 14; expected one field per column"),
        ("0,\"a\",,,,,,,,,,,,", "t.csv:2:3: found a quoted field; pod traces are plain comma-separated values without quotes (lists inside a cell are separated by `;`)"),
    ] {
        check(h, row, expect);
    }
}

#[test]
fn every_problem_of_a_row_is_reported() {
    let e = read(
        TraceFormat::Kubesim,
        "creation_time_s,cpu,memory\nx,1y,2z\n",
    )
    .unwrap_err();
    assert_eq!(e.len(), 3, "{e:#?}");
    assert!(e[0].starts_with("t.csv:2:1: creation_time_s:"), "{e:#?}");
    assert!(e[1].starts_with("t.csv:2:3: cpu:"), "{e:#?}");
    assert!(e[2].starts_with("t.csv:2:6: memory:"), "{e:#?}");
}

#[test]
fn the_header_is_checked() {
    let e = read(TraceFormat::Kubesim, "name,cpus,cpu,cpu\n").unwrap_err();
    assert_eq!(
        e,
        vec![
            "t.csv:1:6: cpus: unknown column \"cpus\" (did you mean `cpu`?); expected columns of the \
             kubesim format: creation_time_s, name, namespace, labels, cpu, memory, cpu_limit, \
             memory_limit, extended, gpu_milli, gpu_count, gpu_models, priority_class, run_time_s, \
             exit_code, template",
            "t.csv:1:15: cpu: this column is named twice; expected each column once",
            "t.csv:1:1: the header has no column `creation_time_s`; expected at least: creation_time_s",
        ]
    );
    let e = read(TraceFormat::Kubesim, "\n\n").unwrap_err();
    assert!(
        e[0].starts_with("t.csv:1:1: empty pod trace: expected a header row"),
        "{e:?}"
    );
}

#[test]
fn a_line_too_long_or_not_utf8_stops_the_reading_at_it() {
    let long = format!(
        "creation_time_s,name\n0,{}\n1,b\n",
        "a".repeat(MAX_POD_TRACE_LINE_BYTES)
    );
    let e = read(TraceFormat::Kubesim, &long).unwrap_err();
    assert_eq!(
        e,
        vec![format!(
            "t.csv:2:1: a row longer than {MAX_POD_TRACE_LINE_BYTES} bytes; expected one pod per line"
        )]
    );
    let mut bytes = b"creation_time_s,name\n0,ab".to_vec();
    bytes.push(0xff);
    bytes.extend_from_slice(b"\n");
    let mut reader = PodTraceReader::new("t.csv".into(), &bytes[..], TraceFormat::Kubesim).unwrap();
    let e = reader.next_row().unwrap().unwrap_err();
    assert_eq!(
        e[0].to_string(),
        "t.csv:2:5: the pod trace is not valid UTF-8: byte 0xff; save the file as UTF-8"
    );
    assert!(reader.next_row().is_none());
}

#[test]
fn the_openb_pod_list_maps_onto_rows() {
    let text = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n\
                openb-pod-0000,12000,16384,1,460,V100M16|V100M32,LS,Running,0,12537496,0\n\
                openb-pod-0001,6000,12288,0,0,T4,BE,Pending,427061,,\n\
                openb-pod-0002,8000,4096,2,1000,,LS,Running,427061,427070,427061\n";
    let got = read(TraceFormat::Openb, text).unwrap();
    assert_eq!(got[0].name.as_deref(), Some("openb-pod-0000"));
    assert_eq!(
        (got[0].cpu_millis, got[0].memory_bytes),
        (Some(12000), Some(16384 << 20))
    );
    assert_eq!((got[0].gpu_count, got[0].gpu_milli), (Some(1), Some(460)));
    assert_eq!(got[0].gpu_models.as_deref(), Some("V100M16|V100M32"));
    assert_eq!(got[0].run_time, Some(SimDuration::from_secs(12537496)));
    // No GPU: no share and no models; no deletion: runs until the end.
    assert_eq!(
        (
            got[1].gpu_count,
            got[1].gpu_milli,
            got[1].gpu_models.as_ref()
        ),
        (None, None, None)
    );
    assert_eq!(
        (got[1].creation, got[1].run_time),
        (SimDuration::from_secs(427061), None)
    );
    assert_eq!((got[2].gpu_count, got[2].gpu_milli), (Some(2), Some(1000)));
    assert_eq!(got[2].run_time, Some(SimDuration::from_secs(9)));

    let header = text.lines().next().unwrap();
    for (row, expect) in [
        ("p,1,1,2,500,,LS,Running,5,9,", "t.csv:2:9: gpu_milli: gpu_milli 500 with num_gpu 2: only a one-GPU pod may share a GPU; expected 1000"),
        ("p,1,1,0,0,,LS,Running,5,4,", "t.csv:2:25: deletion_time: found 4, before the creation time 5; expected a deletion time at or after it"),
        ("p,1.5,1,0,0,,LS,Running,5,,", "t.csv:2:3: cpu_milli: found \"1.5\"; expected an integer ≥ 0"),
    ] {
        let e = read(TraceFormat::Openb, &format!("{header}\n{row}\n")).unwrap_err();
        assert_eq!(e, vec![expect.to_string()]);
    }
    // The bundled openb pod list reads whole, in order.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("traces/openb/openb_pod_list_default.csv");
    let mut reader = open(&path, TraceFormat::Openb).unwrap();
    let mut n = 0;
    while let Some(r) = reader.next_row() {
        r.unwrap_or_else(|e| panic!("{e:?}"));
        n += 1;
    }
    assert_eq!(n, 8152);
}

#[test]
fn files_that_are_not_regular_are_refused_before_reading() {
    let e = open(Path::new("/"), TraceFormat::Kubesim).err().unwrap();
    assert_eq!(
        e[0].to_string(),
        "/: cannot read the pod trace: not a regular file (kubesim reads only regular files)"
    );
}
