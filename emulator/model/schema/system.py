"""``[edit system]``: what a lab router's base configuration sets.

Facts from ``junos-conf-system@2022-01-01.yang`` (22.4R1) in YANG order: ``host-name`` (1..255
characters), ``root-authentication``, ``commit synchronize``, ``login`` (classes, users with
``uid`` 100..64000 and ``class``), ``services`` (ssh, netconf ssh, telnet, ftp,
extension-service), ``domain-name``, ``time-zone``, ``name-server``, ``syslog`` (the facility /
level ``contents`` lists), ``ntp``, ``processes ... failover``.  Two statements come from real
configurations older than that YANG: ``extension-service request-response grpc clear-text``
(samples/config.groups-re0-re1.curly.vrnetlab-vmx.conf) and ``processes interface-control``
(the chapter: "set interface-control failover other-routing-engine").
"""

from __future__ import annotations

from emulator.model.schema.build import container, flag, leaf, leaves, lst, presence
from emulator.model.schema.types import Choice, Ip, Number, Statement, Text

__all__ = ["SYSTEM"]

_PORT = Number(1, 65535)
_KEYS = tuple(
    lst(name, f"Secure shell (SSH) {algo} public key string", Text(),
        leaf("from", "Pattern-list of allowed hosts", Text()), placeholder="<authorized-key>")
    for name, algo in (("ssh-rsa", "RSA"), ("ssh-dsa", "DSA"), ("ssh-ecdsa", "ECDSA"),
                       ("ssh-ed25519", "ED25519")))


def _authentication(name: str, help_text: str) -> Statement:
    return container(
        name, help_text,
        leaf("encrypted-password", "Encrypted password string", Text(1, 128),
             placeholder="<password>"),
        flag("no-public-keys", "Disables SSH public key based authentication"),
        *_KEYS)


_LEVELS = ("any", "emergency", "alert", "critical", "error", "warning", "notice", "info", "none")
_FACILITIES = ("any", "authorization", "daemon", "ftp", "ntp", "security", "kernel", "user",
               "dfc", "external", "firewall", "pfe", "conflict-log", "change-log",
               "interactive-commands")
_LEVEL_HELP = {"any": "All levels", "emergency": "Panic conditions",
               "alert": "Conditions that should be corrected immediately",
               "critical": "Critical conditions", "error": "Error conditions",
               "warning": "Warning messages", "notice": "Conditions that should be handled "
               "specially", "info": "Informational messages", "none": "No messages"}

#: ``any notice;``: a nokeyword list keyed by facility holding one level (a choice).
_CONTENTS = lst("contents", "Facility type", Choice(_FACILITIES),
                *(flag(level, _LEVEL_HELP[level], choice="level") for level in _LEVELS),
                keyword=False, oneliner=True, advanced=False, placeholder="<facility>")

_SYSLOG = container(
    "syslog", "System logging facility",
    presence("archive", "Archive file information",
             leaf("size", "Size of files to be archived", Text()),
             leaf("files", "Number of files to be archived", Text())),
    lst("user", "Notify a user of the event", Text(), _CONTENTS,
        leaf("match", "Regular expression for lines to be logged", Text()),
        placeholder="<user-name>"),
    lst("host", "Host to be notified", Text(), _CONTENTS,
        leaf("match", "Regular expression for lines to be logged", Text()),
        leaf("port", "Port number", _PORT),
        leaf("source-address", "Use specified address as source address", Ip()),
        leaf("routing-instance", "Routing instance", Text()),
        placeholder="<hostname>"),
    lst("file", "File in which to log data", Text(1, 1024), _CONTENTS,
        leaf("match", "Regular expression for lines to be logged", Text()),
        presence("archive", "Archive file information",
                 leaf("size", "Size of files to be archived", Text()),
                 leaf("files", "Number of files to be archived", Text())),
        flag("explicit-priority", "Include priority and facility in messages"),
        placeholder="<filename>"),
    presence("time-format", "Additional information to include in system log timestamp",
             flag("year", "Include year in timestamp"),
             flag("millisecond", "Include milliseconds in timestamp"), oneliner=True),
    leaf("source-address", "Use specified address as source address", Ip()),
)

_SSH = presence(
    "ssh", "Allow ssh access",
    leaf("root-login", "Configure root access via ssh", Choice(("allow", "deny",
                                                                "deny-password"))),
    flag("no-passwords", "Disables ssh password and challenge-response based authentication"),
    leaves("protocol-version", "Specify ssh protocol versions supported", Choice(("v2",))),
    leaf("port", "Port number to accept incoming connections", _PORT),
    leaf("connection-limit", "Limit number of simultaneous connections", Number(1, 250)),
    leaf("rate-limit", "Limit incoming connection rate", Number(1, 250)),
)

_SERVICES = presence(
    "services", "System services",
    _SSH,
    presence("ftp", "Allow FTP file transfers"),
    presence("telnet", "Allow telnet login",
             leaf("connection-limit", "Limit number of simultaneous connections",
                  Number(1, 250))),
    presence("xnm-clear-text", "Allow clear text-based JUNOScript connections"),
    container("extension-service", "Enable JUNOS extension services",
              container("request-response", "Allow request-response API execution",
                        container("grpc", "Grpc server configuration",
                                  container("clear-text", "Clear text connection settings",
                                            leaf("address", "Address to listen for incoming "
                                                 "connections", Ip()),
                                            leaf("port", "Port number to accept incoming "
                                                 "connections", _PORT)),
                                  flag("skip-authentication", "Skip authentication"),
                                  leaf("max-connections", "Maximum number of connections",
                                       Number(1, 30))))),
    container("netconf", "Allow NETCONF connections",
              presence("ssh", "Allow NETCONF over SSH",
                       leaf("connection-limit", "Limit number of simultaneous connections",
                            Number(1, 250)),
                       leaf("port", "Service port number", _PORT)),
              flag("rfc-compliant", "Make the NETCONF sessions compliant to RFC 4741")),
)

_LOGIN = container(
    "login", "Names, login classes, and passwords for users",
    leaf("idle-timeout", "Maximum idle time before logout", Number(1, 60), units="minutes"),
    lst("class", "Login class", Text(),
        leaf("idle-timeout", "Maximum idle time before logout", Number()),
        leaves("permissions", "Set of permitted operation categories", Text()),
        leaf("allow-commands", "Regular expression for commands to allow explicitly", Text()),
        leaf("deny-commands", "Regular expression for commands to deny explicitly", Text()),
        placeholder="<class-name>"),
    lst("user", "Username", Text(),
        leaf("full-name", "Full name", Text()),
        leaf("uid", "User identifier (uid)", Number(100, 64000)),
        leaf("class", "Login class", Text(), mandatory=True),
        _authentication("authentication", "Authentication method"),
        placeholder="<username>"),
    leaf("message", "System login message", Text(1, 2048)),
    leaf("announcement", "System announcement message (displayed after login)",
         Text(1, 2048)),
)

_FAILOVER = Choice(("other-routing-engine", "alternate-media"))


def _process(name: str, help_text: str) -> Statement:
    return container(name, help_text,
                     flag("disable", f"Disable {help_text[0].lower()}{help_text[1:]}"),
                     leaf("failover", f"How to handle failure of {help_text[0].lower()}"
                          f"{help_text[1:]}", _FAILOVER))


_PROCESSES = container(
    "processes", "Process control",
    _process("routing", "Routing process"),
    _process("chassis-control", "Chassis control process"),
    _process("interface-control", "Interface control process"),
    _process("ntp", "Network time process"),
    _process("management", "Management process"),
    _process("snmp", "SNMP process"),
)

_NTP = container(
    "ntp", "Network Time Protocol services",
    leaf("boot-server", "Server to query during boot sequence", Ip()),
    lst("authentication-key", "Authentication key information", Number(1, 65534),
        leaf("type", "Authentication key type", Choice(("md5", "des", "sha1", "sha256"))),
        leaf("value", "Authentication key value", Text()),
        placeholder="<key-number>"),
    lst("peer", "Peer parameters", Ip(),
        leaf("key", "Authentication key", Number(1, 65534)),
        leaf("version", "NTP version to use", Number(1, 4)),
        flag("prefer", "Prefer this peer_serv"), placeholder="<address>"),
    lst("server", "Server parameters", Text(),
        leaf("key", "Authentication key", Number(1, 65534)),
        leaf("version", "NTP version to use", Number(1, 4)),
        flag("prefer", "Prefer this peer_serv"),
        leaf("routing-instance", "Routing instance through which server is reachable",
             Text()),
        placeholder="<address>", oneliner=True),
    leaves("trusted-key", "List of trusted authentication keys", Number(1, 65534)),
    lst("source-address", "Source-Address parameters", Ip(),
        leaf("routing-instance", "Routing instance name in which source address is defined",
             Text()), placeholder="<source-address>"),
)

SYSTEM = container(
    "system", "System parameters",
    leaf("host-name", "Hostname for this router", Text(1, 255)),
    _authentication("root-authentication", "Authentication information for the root login"),
    container("commit", "Configuration commit management",
              flag("fast-synchronize",
                   "Parallelized commit synchronizing multiple routing-engines"),
              flag("synchronize", "Synchronize commit on both Routing Engines by default")),
    _LOGIN,
    _SERVICES,
    leaf("domain-name", "Domain name for this router", Text(1, 255)),
    leaves("domain-search", "List of domain names to search", Text()),
    container("backup-router", "IPv4 router to use while booting",
              leaf("address", "Address of router to use while booting", Ip(4),
                   keyword=False),
              leaves("destination", "Destination network reachable through the router",
                     Ip(4, False)),
              oneliner=True),
    leaf("time-zone", "Time zone name or POSIX-compliant time zone string", Text()),
    flag("switchover-on-routing-crash",
         "On failure, switch mastership to other Routing Engine"),
    flag("no-redirects", "Disable ICMP redirects"),
    leaves("authentication-order", "Order in which authentication methods are invoked",
           Choice(("radius", "tacplus", "password"))),
    container("location", "Location of the system, in various forms",
              leaf("country-code", "Two-letter country code", Text()),
              leaf("building", "Building name", Text()),
              leaf("floor", "Floor of the building", Number(0, 2147483647)),
              leaf("rack", "Rack number", Number())),
    lst("name-server", "DNS name servers", Ip(),
        leaf("routing-instance", "Routing instance through which server is reachable",
             Text()), placeholder="<address>", grouped=True, oneliner=True),
    lst("static-host-mapping", "Static hostname database mapping", Text(),
        leaves("inet", "IP address", Ip(4)),
        leaves("inet6", "IPv6 address", Ip(6)),
        leaves("alias", "Hostname alias", Text()),
        placeholder="<hostname>"),
    _SYSLOG,
    _PROCESSES,
    _NTP,
)
