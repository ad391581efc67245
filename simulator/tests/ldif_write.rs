//! What the writer writes, as people read it: the hand-written ldifde fixture read and written
//! back, snapshot-tested (line endings shown as LF in the snapshot; the file has CRLF).

use upgrade_lab_simulator::ldif::{read_directory_bytes, write_directory};

const LDIFDE: &[u8] = include_bytes!("fixtures/ldif/ldifde-export-crlf.ldif");

#[test]
fn the_writer_writes_an_ldifde_style_export() {
    let dir = read_directory_bytes(LDIFDE).unwrap().directory;
    let mut out = Vec::new();
    write_directory(&dir, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("version: 1\r\n\r\ndn: DC=contoso,DC=com\r\nchangetype: add\r\n"));
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "only CRLF line endings"
    );
    assert!(text.ends_with("\r\n\r\n"));
    insta::assert_snapshot!(text.replace("\r\n", "\n"));
}
