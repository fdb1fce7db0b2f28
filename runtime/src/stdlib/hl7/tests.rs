use super::*;

const ORU: &str = "MSH|^~\\&|GHH LAB|ELAB-3|GHH OE|BLDG4|200202150930||ORU^R01|CNTRL-3456|P|2.4\r\
PID|||555-44-4444||EVERYWOMAN^EVE^E^^^^L|JONES|196203520|F|||153 FERNWOOD DR.^^STATESVILLE^OH^35292\r\
OBX|1|SN|1554-5^GLUCOSE||^182|mg/dl|70_105|H|||F\r\
OBX|2|NM|8867-4^Heart rate||72|/min|||||F\r";

fn get(m: &Message, path: &str) -> Option<String> {
    m.get(&path::parse(path).unwrap())
}

#[test]
fn fields_components_and_repetitions_read_by_path() {
    let m = Message::parse(ORU).unwrap();
    assert_eq!(get(&m, "MSH-1").as_deref(), Some("|"));
    assert_eq!(get(&m, "MSH-2").as_deref(), Some("^~\\&"));
    assert_eq!(get(&m, "MSH-9-2").as_deref(), Some("R01"));
    assert_eq!(get(&m, "MSH-9").as_deref(), Some("ORU"));
    assert_eq!(get(&m, "PID-5-2").as_deref(), Some("EVE"));
    assert_eq!(get(&m, "PID.F5.R1.C1").as_deref(), Some("EVERYWOMAN"));
    assert_eq!(get(&m, "OBX(2)-5").as_deref(), Some("72"));
    assert_eq!(get(&m, "OBX(3)-5"), None);
    assert_eq!(get(&m, "PID-2"), None, "empty");
    assert_eq!(get(&m, "PID-40"), None, "absent");
    assert_eq!(get(&m, "ZZZ-1"), None);
    assert_eq!(m.to_text(), ORU);
}

#[test]
fn separators_of_every_kind_round_trip() {
    for text in [
        "MSH|^~\\&|A\nPID|1\n",
        "MSH|^~\\&|A\r\nPID|1\r\n\r\n",
        "\r\nMSH|^~\\&|A\rPID|1",
        "MSH#!@$%#A!B@C$E$%D#\rZZ1#x",
        "MSH|^~\\&#|A|B\rPID|x\\P\\y",
    ] {
        let m = Message::parse(text).unwrap();
        assert_eq!(m.to_text(), text);
        assert_eq!(m.segments().count(), 2);
    }
    let m = Message::parse("MSH#!@$%#A!B@C$E$%D#\r").unwrap();
    assert_eq!(get(&m, "MSH-3-2").as_deref(), Some("B"));
    assert_eq!(
        get(&m, "MSH-3(2)").as_deref(),
        Some("C$"),
        "\\E\\ is the escape character"
    );
}

#[test]
fn null_is_not_empty() {
    let m = Message::parse("MSH|^~\\&|A\rPID|1|\"\"||x").unwrap();
    assert_eq!(get(&m, "PID-2").as_deref(), Some("\"\""));
    assert_eq!(get(&m, "PID-3"), None);
    let seg = m.segment("PID", 1).unwrap();
    assert!(seg.field(2).is_null());
    assert!(!seg.field(3).is_null() && seg.field(3).is_empty());
}

#[test]
fn what_is_not_a_message_is_an_error() {
    for (text, says) in [
        ("", "empty"),
        ("hello", "starts with \"hello\""),
        ("MSH", "cut short"),
        ("MSH|^", "2 to 5"),
        ("MSH|^^~\\&|", "twice"),
        ("MSHa^~\\&|", "letter"),
        ("MSH|^~\\&|A\r|x", "no id"),
    ] {
        let e = Message::parse(text).unwrap_err();
        assert!(e.0.contains(says), "{text:?}: {e}");
    }
}

#[test]
fn set_escapes_and_pads() {
    let mut m = Message::parse("MSH|^~\\&|A\rPID|1\r").unwrap();
    let p = |s: &str| path::parse(s).unwrap();
    m.set(&p("PID-5-2"), "Anne|Marie").unwrap();
    m.set(&p("PID-3(2)-1"), "B-2").unwrap();
    m.set(&p("PID-3-1-2"), "sub").unwrap();
    m.set(&p("OBX-5"), "72").unwrap();
    m.set(&p("OBX(2)-5"), "73").unwrap();
    assert_eq!(
        m.to_text(),
        "MSH|^~\\&|A\rPID|1||&sub~B-2||^Anne\\F\\Marie\rOBX|||||72\rOBX|||||73\r"
    );
    assert_eq!(get(&m, "PID-5-2").as_deref(), Some("Anne|Marie"));
    assert!(
        m.set(&p("OBX(4)-5"), "x")
            .unwrap_err()
            .contains("next is OBX(3)")
    );
    assert!(m.set(&p("MSH-2"), "x").is_err());
    assert!(m.set(&p("MSH-1"), "x").is_err());
    m.set(&p("MSH-3"), "WARD").unwrap();
    assert_eq!(get(&m, "MSH-3").as_deref(), Some("WARD"));
}

#[test]
fn acknowledgements_echo_and_swap() {
    let m = Message::parse(ORU).unwrap();
    let now = crate::stdlib::time::DateTime::from_unix_ms(1_796_495_400_123);
    let ack = m.ack("AA", None, now).unwrap();
    let text = ack.to_text();
    assert!(
        text.starts_with(
            "MSH|^~\\&|GHH OE|BLDG4|GHH LAB|ELAB-3|20261205183000||ACK^R01^ACK|20261205183000123"
        ),
        "{text}"
    );
    assert!(text.ends_with("|P|2.4\rMSA|AA|CNTRL-3456\r"), "{text}");
    let ae = m
        .ack("AE", Some("OBX-5 is not a number: a^b"), now)
        .unwrap();
    assert_eq!(get(&ae, "MSA-1").as_deref(), Some("AE"));
    assert_eq!(
        get(&ae, "MSA-3").as_deref(),
        Some("OBX-5 is not a number: a^b")
    );
    assert_eq!(get(&ae, "ERR-3-1").as_deref(), Some("207"));
    assert_eq!(
        get(&ae, "ERR-8").as_deref(),
        Some("OBX-5 is not a number: a^b")
    );
    let ar = m.ack("AR", Some("no"), now).unwrap();
    assert_eq!(
        get(&ar, "ERR-3-2").as_deref(),
        Some("Unsupported message type")
    );
    assert!(m.ack("OK", None, now).is_err());
}

#[test]
fn batches_keep_their_envelopes() {
    let text =
        "FHS|^~\\&|X\rBHS|^~\\&|Y\rMSH|^~\\&|A|||||||1\rPID|1\rMSH|^~\\&|B|||||||2\rBTS|2\rFTS|1\r";
    let b = batch::Batch::parse(text).unwrap();
    assert_eq!(b.messages().count(), 2);
    assert_eq!(b.to_text(), text);
    assert_eq!(
        b.envelope("BTS").map(|s| s.field_raw(1)),
        Some("2".to_string())
    );
    assert!(batch::Batch::parse("PID|1\rMSH|^~\\&|").is_err());
    let twice = "BHS|^~\\&\rMSH|^~\\&|A\rBHS|^~\\&\rBTS|1\r";
    assert!(
        batch::Batch::parse(twice)
            .unwrap_err()
            .0
            .contains("inside the batch that began on line 1")
    );
    let late = "BHS|^~\\&\rFHS|^~\\&\r";
    assert!(
        batch::Batch::parse(late)
            .unwrap_err()
            .0
            .contains("FHS segment after")
    );
    let bare = "MSH|^~\\&|A\nPID|1\nMSH|^~\\&|B\n";
    assert_eq!(batch::Batch::parse(bare).unwrap().messages().count(), 2);
}
