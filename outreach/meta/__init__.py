"""Meta (Facebook/Instagram): Marketing API payloads, the Ads Manager file, the facebook-business client."""
