#!/bin/bash
# Runs INSIDE the stock Debian 12 desktop root made by test-deb-in-debootstrap.sh (chroot, no
# network; the root holds a stock desktop's package set and NOT the package's own Depends).
# Installs /tmp/idv-kiosk.deb with dpkg and exercises the installed kiosk. Prints one line per
# check ("ok"/"FAIL"/"info") and exits non-zero when a required check failed.
set -u
fails=0
ok()   { echo "ok    $*"; }
bad()  { echo "FAIL  $*"; fails=$((fails + 1)); }
info() { echo "info  $*"; }
now()  { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
L=/tmp/kiosk-test

# --- no network here -----------------------------------------------------------------------
links="$(awk -F: 'NR > 2 { gsub(/ /, "", $1); printf "%s ", $1 }' /proc/net/dev 2>/dev/null)"
if getent hosts deb.debian.org >/dev/null 2>&1 || getent ahosts pypi.org >/dev/null 2>&1; then
    bad "network: name resolution works inside the test root (expected none)"
else
    ok "network: none (interfaces: ${links:-?}; no DNS)"
fi

# --- install --------------------------------------------------------------------------------
t0=$(now)
if dpkg -i /tmp/idv-kiosk.deb > $L-dpkg-install.log 2>&1; then
    ok "dpkg -i (no apt, no network) in $(secs "$t0" "$(now)") s"
else
    bad "dpkg -i failed:"; tail -20 $L-dpkg-install.log; exit 1
fi
info "installed size: $(du -sh /opt/kiosk | cut -f1) in /opt/kiosk; Installed-Size: $(dpkg-query -W -f='${Installed-Size}' idv-kiosk) KiB"
[ -s /usr/share/doc/idv-kiosk/sbom.cdx.json ] && grep -q '"bomFormat": "CycloneDX"' /usr/share/doc/idv-kiosk/sbom.cdx.json &&
    ok "SBOM shipped: /usr/share/doc/idv-kiosk/sbom.cdx.json ($(grep -c '"bom-ref"' /usr/share/doc/idv-kiosk/sbom.cdx.json) refs)" ||
    bad "no CycloneDX SBOM in /usr/share/doc/idv-kiosk"
[ -s /usr/share/doc/idv-kiosk/operator-guide.md ] && ok "operator guide shipped" || bad "no operator guide"
getent passwd kiosk >/dev/null && ok "user kiosk: $(getent passwd kiosk)" || bad "no kiosk user"
perm="$(stat -c '%U:%G %a' /etc/kiosk/secrets.env)"
[ "$perm" = "root:kiosk 640" ] && ok "/etc/kiosk/secrets.env $perm" || bad "/etc/kiosk/secrets.env is $perm"
[ "$(readlink /etc/xdg/autostart/idv-kiosk.desktop)" = /usr/share/idv-kiosk/idv-kiosk-autostart.desktop ] &&
    ok "XDG autostart link" || bad "no XDG autostart link"
[ "$(stat -c '%U %a' /var/lib/kiosk/audit)" = "kiosk 750" ] && ok "audit folder kiosk 0750" || bad "audit folder"
[ -x /usr/bin/kiosk ] && ok "/usr/bin/kiosk -> $(readlink /usr/bin/kiosk)" || bad "/usr/bin/kiosk missing"
# the autostart helper does nothing for other users; the menu entry explains instead
HOME=/root /usr/lib/idv-kiosk/kiosk-session && ok "kiosk-session is a no-op for root" || bad "kiosk-session for root"
HOME=/root /usr/lib/idv-kiosk/kiosk-session --menu 2> $L-menu.log && grep -q 'runs only in the session of the user "kiosk"' $L-menu.log &&
    ok "menu entry for another user explains (kiosk-session --menu)" || bad "menu entry for root: $(cat $L-menu.log)"
grep -q '^Exec=/usr/lib/idv-kiosk/kiosk-session --menu$' /usr/share/applications/idv-kiosk.desktop &&
    ok "menu entry runs kiosk-session --menu" || bad "menu entry Exec"

# --- kiosk --help, cold and warm -------------------------------------------------------------
t0=$(now); kiosk --help > $L-help.log 2>&1; rc=$?; t1=$(now)
[ $rc = 0 ] && ok "kiosk --help (first run after install): $(secs "$t0" "$t1") s" || bad "kiosk --help rc=$rc"
best=99
for _ in 1 2 3; do t0=$(now); kiosk --help >/dev/null 2>&1; t1=$(now); s=$(secs "$t0" "$t1")
    best=$(awk -v a="$best" -v b="$s" 'BEGIN { print (b < a) ? b : a }'); done
info "kiosk --help warm (best of 3): $best s"
kiosk --version

# --- doctor ---------------------------------------------------------------------------------
for who in root kiosk; do
    t0=$(now)
    if [ $who = root ]; then
        kiosk doctor --json > $L-doctor-$who.json 2> $L-doctor-$who.err; rc=$?
    else
        runuser -u kiosk -- env HOME=/var/lib/kiosk kiosk doctor --json > $L-doctor-$who.json 2> $L-doctor-$who.err; rc=$?
    fi
    t1=$(now)
    if grep -q '^{"ok": ' $L-doctor-$who.json; then
        ok "kiosk doctor --json as $who: JSON, exit $rc, $(secs "$t0" "$t1") s"
        # one line per check (no python in the root: split the JSON with sed)
        sed 's/}, {/}\n{/g' $L-doctor-$who.json | sed -n 's/.*"name": "\([a-z]*\)", "ok": \([a-z]*\), "detail": "\([^"]*\)".*/      \2  \1: \3/p'
    else
        bad "kiosk doctor --json as $who printed no JSON (exit $rc)"; cat $L-doctor-$who.err
    fi
    for c in model resources config; do
        grep -q "\"name\": \"$c\", \"ok\": true" $L-doctor-$who.json || bad "doctor check $c not ok as $who"
    done
done

# --- precheck (vision, YuNet model from the bundle) -----------------------------------------
if kiosk precheck --kind face /tmp/face.jpg > $L-precheck.log 2>&1 && grep -q '"ok": true' $L-precheck.log; then
    ok "kiosk precheck --kind face: $(cut -c1-90 $L-precheck.log)"
else
    bad "kiosk precheck: $(cat $L-precheck.log)"
fi

# --- the technician's self-test, as the kiosk user -----------------------------------------------
t0=$(now)
runuser -u kiosk -- env HOME=/var/lib/kiosk QT_QPA_PLATFORM=offscreen timeout 300 kiosk selftest > $L-selftest.log 2>&1; rc=$?
t1=$(now)
sed 's/^/      /' $L-selftest.log
if [ $rc = 0 ] && grep -q '^selftest: PASS' $L-selftest.log; then
    ok "kiosk selftest (kiosk user, no network): PASS in $(secs "$t0" "$t1") s"
else bad "kiosk selftest: exit $rc in $(secs "$t0" "$t1") s"; fi
[ -z "$(ls -A /var/lib/kiosk/audit)" ] && ok "selftest wrote nothing to the audit folder" ||
    bad "selftest left files in /var/lib/kiosk/audit: $(ls /var/lib/kiosk/audit)"

# --- staff PIN hash from stdin (no terminal) ------------------------------------------------------
echo 24681357 | kiosk doctor --hash-pin > $L-pin.log 2>&1 && grep -q '^scrypt\$' $L-pin.log &&
    ok "kiosk doctor --hash-pin from stdin: $(cut -c1-24 $L-pin.log)..." || bad "hash-pin from stdin: $(cat $L-pin.log)"

# --- rehearsal as root: emulator + specimen + kiosk verify (writes the audit trail as root) -------
EMU_ENV="KIOSK_CREDENTIALS_SOURCE=env TENCENTCLOUD_SECRET_ID=AKIDkioskEmulatorDemoSecretId000000 TENCENTCLOUD_SECRET_KEY=kioskEmulatorDemoSecretKey000000"
kiosk emulator --port 18443 > $L-emulator.log 2>&1 &
emu=$!
for _ in $(seq 1 60); do grep -q "listening on" $L-emulator.log && break; sleep 0.5; done
grep -q "secret key: kioskEmulatorDemoSecretKey000000" $L-emulator.log && grep -q "kiosk verify --endpoint" $L-emulator.log &&
    ok "kiosk emulator prints how to call it (demo id and key)" || bad "emulator banner: $(cat $L-emulator.log)"
kiosk specimen --id 1 --photo --out /tmp/card.png > $L-specimen.log 2>&1 &&
    ok "kiosk specimen --id 1 --photo (shipped demo registry)" || bad "kiosk specimen: $(cat $L-specimen.log)"
env $EMU_ENV kiosk verify --endpoint http://127.0.0.1:18443 --card /tmp/card.png --face /tmp/face-1.png --json > $L-verify.log 2>&1; rc=$?
[ $rc = 0 ] && grep -q '"verdict": "pass"' $L-verify.log && ok "kiosk verify as root against the emulator: pass" ||
    bad "kiosk verify as root: exit $rc $(cut -c1-200 $L-verify.log)"
kiosk doctor --export-audit /tmp/audit-export.jsonl > $L-export.log 2>&1 &&
    ok "kiosk doctor --export-audit as root: $(cat $L-export.log)" || bad "export as root: $(cat $L-export.log)"
owners="$(stat -c '%U' /var/lib/kiosk/audit/audit.jsonl* | sort -u | tr '\n' ' ')"
[ "$owners" = "kiosk " ] && ok "audit files written by root commands belong to kiosk" || bad "audit file owners after root commands: $owners"
runuser -u kiosk -- env HOME=/var/lib/kiosk kiosk doctor --json --no-network --cameras 0 | grep -q '"name": "audit", "ok": true' &&
    ok "kiosk doctor (kiosk user): audit folder and files writable" || bad "doctor audit check as kiosk after root commands"

# --- kiosk run as the kiosk user after the root commands: survives (offscreen, 12 s) ---------------
run_kiosk() {
    runuser -u kiosk -- env HOME=/var/lib/kiosk QT_QPA_PLATFORM=offscreen $EMU_ENV \
        KIOSK_SERVICE_ENDPOINT=http://127.0.0.1:18443 KIOSK_HEARTBEAT_FILE=/tmp/kiosk-hb-run \
        timeout 12 kiosk run > "$1" 2>&1
}
run_kiosk $L-run.log; rc=$?
if [ $rc = 124 ] && ! grep -q "Traceback\|PermissionError" $L-run.log; then
    ok "kiosk run (kiosk user) after root-run verify + export: still running after 12 s, no error"
else bad "kiosk run after root commands: exit $rc: $(tail -5 $L-run.log)"; fi
sed 's/^/      /' $L-run.log | tail -5
# the state an older version left (a root-owned audit.jsonl): a clear refusal, exit 78, no loop
chown root:root /var/lib/kiosk/audit/audit.jsonl
run_kiosk $L-run-broken.log; rc=$?
[ $rc = 78 ] && grep -q "out of service" $L-run-broken.log && ! grep -q Traceback $L-run-broken.log &&
    ok "kiosk run with a root-owned audit.jsonl: exit 78 with a clear message (not restarted)" ||
    bad "kiosk run with a root-owned audit.jsonl: exit $rc: $(tail -3 $L-run-broken.log)"
runuser -u kiosk -- env HOME=/var/lib/kiosk kiosk doctor --json --no-network --cameras 0 | grep -q '"name": "audit", "ok": false, "detail": "/var/lib/kiosk/audit/audit.jsonl is not writable' &&
    ok "kiosk doctor (kiosk user) names the unwritable audit.jsonl" || bad "doctor does not see the unwritable audit file"
runuser -u kiosk -- env XDG_RUNTIME_DIR=/tmp KIOSK_HEARTBEAT_FILE=/tmp/kiosk-hb3 timeout 30 /usr/lib/idv-kiosk/kiosk-supervise \
    env QT_QPA_PLATFORM=offscreen HOME=/var/lib/kiosk /opt/kiosk/kiosk run > $L-supervise3.log 2>&1; rc=$?
[ $rc = 78 ] && [ "$(grep -c 'kiosk run: out of service' $L-supervise3.log)" = 1 ] &&
    ok "kiosk-supervise does not restart a kiosk that refused its audit trail" || bad "supervisor and exit 78: rc $rc $(tail -3 $L-supervise3.log)"
chown kiosk:kiosk /var/lib/kiosk/audit/audit.jsonl
kill $emu 2>/dev/null; wait $emu 2>/dev/null

# --- the demo, offscreen, as the kiosk user ---------------------------------------------------
t0=$(now)
runuser -u kiosk -- env HOME=/var/lib/kiosk QT_QPA_PLATFORM=offscreen KIOSK_HEARTBEAT_FILE=/tmp/kiosk-hb \
    timeout 300 kiosk demo --autopilot --sessions 1 > $L-demo.log 2>&1; rc=$?
t1=$(now)
if [ $rc = 0 ]; then ok "kiosk demo --autopilot --sessions 1 (offscreen, kiosk user): exit 0 in $(secs "$t0" "$t1") s"
else bad "kiosk demo --autopilot --sessions 1: exit $rc in $(secs "$t0" "$t1") s"; fi
sed 's/^/      /' $L-demo.log | tail -25
grep -E "^startup:|^sessions:|^RSS:|^preview" $L-demo.log | sed 's/^/info  demo: /'
[ -f /tmp/kiosk-hb ] && ok "heartbeat file written from the GUI thread" || info "no heartbeat file (demo did not reach the event loop?)"

# --- watchdog supervisor: a command that never beats is killed and restarted -------------------
runuser -u kiosk -- env KIOSK_WATCHDOG_S=2 KIOSK_HEARTBEAT_FILE=/tmp/kiosk-hb2 XDG_RUNTIME_DIR=/tmp \
    timeout 25 /usr/lib/idv-kiosk/kiosk-supervise sleep 600 > $L-supervise.log 2>&1
n=$(grep -c "no heartbeat" $L-supervise.log)
[ "$n" -ge 1 ] && ok "kiosk-supervise killed and restarted a silent process $n time(s) in 25 s" ||
    bad "kiosk-supervise did not restart a hung process: $(cat $L-supervise.log)"
runuser -u kiosk -- env XDG_RUNTIME_DIR=/tmp timeout 20 /usr/lib/idv-kiosk/kiosk-supervise true > $L-supervise2.log 2>&1
[ $? = 0 ] && grep -q "not restarting" $L-supervise2.log && ok "kiosk-supervise stops after a clean (staff) exit" ||
    bad "kiosk-supervise clean exit: $(cat $L-supervise2.log)"

# --- upgrade keeps the edited conffile ------------------------------------------------------------
echo '# edited on site' >> /etc/kiosk/kiosk.toml
sed -i 's/^# kiosk_id = "kiosk-01"/kiosk_id = "branch-7"/' /etc/kiosk/kiosk.toml
echo 'STS_SECRET_ID=dummy' >> /etc/kiosk/secrets.env
if dpkg -i --force-confold /tmp/idv-kiosk.deb > $L-dpkg-reinstall.log 2>&1 && grep -q '^kiosk_id = "branch-7"' /etc/kiosk/kiosk.toml &&
   grep -q dummy /etc/kiosk/secrets.env && [ "$(stat -c '%U:%G %a' /etc/kiosk/secrets.env)" = "root:kiosk 640" ]; then
    ok "reinstall/upgrade keeps edited /etc/kiosk/kiosk.toml and secrets.env (root:kiosk 0640)"
else bad "reinstall lost edits: $(tail -5 $L-dpkg-reinstall.log)"; fi
kiosk doctor --json --no-network --cameras 0 | grep -q '"ok": true, "detail": "/etc/kiosk/kiosk.toml (kiosk_id branch-7)"' &&
    ok "doctor reads the edited /etc/kiosk/kiosk.toml (kiosk_id branch-7)" ||
    bad "doctor does not show the edited value: $(kiosk doctor --json --no-network --cameras 0 | cut -c1-160)"

# --- upgrade to a higher version -----------------------------------------------------------------
old="$(dpkg-query -W -f='${Version}' idv-kiosk)"
if dpkg -i --force-confold /tmp/idv-kiosk-upgrade.deb > $L-dpkg-upgrade.log 2>&1; then
    new="$(dpkg-query -W -f='${Version}' idv-kiosk)"
    grep -q '^kiosk_id = "branch-7"' /etc/kiosk/kiosk.toml && grep -q dummy /etc/kiosk/secrets.env &&
        [ "$(stat -c '%U:%G %a' /etc/kiosk/secrets.env)" = "root:kiosk 640" ] && kiosk --version >/dev/null &&
        ok "upgrade $old -> $new keeps kiosk.toml, secrets.env (root:kiosk 0640); kiosk runs" ||
        bad "upgrade $old -> $new lost settings"
else bad "upgrade failed: $(tail -5 $L-dpkg-upgrade.log)"; fi
t0=$(now)
runuser -u kiosk -- env HOME=/var/lib/kiosk QT_QPA_PLATFORM=offscreen timeout 300 kiosk selftest > $L-selftest-upgrade.log 2>&1 &&
    ok "kiosk selftest after the upgrade: PASS in $(secs "$t0" "$(now)") s" || bad "selftest after upgrade: $(tail -3 $L-selftest-upgrade.log)"

# --- the systemd user unit (syntax and references; systemd is not running in a chroot) ---------
if command -v systemd-analyze >/dev/null; then
    mkdir -p /tmp/xdg-rt && chmod 0700 /tmp/xdg-rt
    if XDG_RUNTIME_DIR=/tmp/xdg-rt systemd-analyze --user verify /usr/lib/systemd/user/idv-kiosk.service > $L-unit.log 2>&1; then
        ok "systemd-analyze --user verify idv-kiosk.service"
    else bad "systemd-analyze verify: $(cat $L-unit.log)"; fi
fi

# --- remove, then purge ------------------------------------------------------------------------
runuser -u kiosk -- touch /var/lib/kiosk/audit/audit.jsonl
dpkg -r idv-kiosk > $L-dpkg-remove.log 2>&1 || bad "dpkg -r: $(tail -5 $L-dpkg-remove.log)"
[ ! -e /opt/kiosk ] && [ ! -e /usr/bin/kiosk ] && [ ! -e /etc/xdg/autostart/idv-kiosk.desktop ] &&
    [ -f /etc/kiosk/kiosk.toml ] && [ -f /var/lib/kiosk/audit/audit.jsonl ] &&
    ok "dpkg -r: program and autostart gone; /etc/kiosk and audit data kept" || bad "dpkg -r left: $(ls -d /opt/kiosk /usr/bin/kiosk /etc/xdg/autostart/idv-kiosk.desktop 2>/dev/null)"
dpkg -P idv-kiosk > $L-dpkg-purge.log 2>&1 || bad "dpkg -P: $(tail -5 $L-dpkg-purge.log)"
[ ! -e /etc/kiosk ] && [ ! -e /var/lib/kiosk/audit ] && ok "dpkg -P: /etc/kiosk and audit data removed (user kiosk kept)" ||
    bad "dpkg -P left: $(ls -d /etc/kiosk /var/lib/kiosk/audit 2>/dev/null)"

echo "summary: $fails failed check(s)"
[ $fails = 0 ]
