"""Earlier cohorts, from before the portal: their import from CSV/XLSX files (always with a dry
run first), the certificates issued on paper (verifiable by number and code, by a registered
fingerprint of the original or scan), and the sealed second copy ("Zweitschrift")."""
