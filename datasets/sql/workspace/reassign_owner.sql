-- params: $old, $new — every plan of owner $old becomes a plan of $new (an account's plans
-- saved under its verified e-mail address, moved to its issuer + subject key)
UPDATE plans SET owner = $new WHERE owner = $old;
