"""The booth's own Wi-Fi: the access point phones join to reach their photo, with no internet.

Owns: ``profile`` (the NetworkManager keyfile: Wi-Fi mode ``ap``, ``ipv4.method shared``),
``names`` (the snippet for the dnsmasq NetworkManager starts: every name answered with the
booth), ``firewall`` (our own nftables table: only the booth's web answers), ``checks`` (each
platform's captive-portal check and the answers of its sequence), ``leases`` (when each phone
first joined, from the log our dnsmasq hook writes), ``portal`` (what the sign-in sheet shows to
whom), ``dns`` (a name query as a phone asks it), ``system`` (applying all that with nmcli, nft
and iw; its status), ``staff`` (``kiosk hotspot``).
May import: the foundation (its settings are ``kiosk.config.HotspotConfig``).
"""
