<?xml version="1.0" encoding="utf-8"?>
<!--
  How a feed looks when someone opens it in a browser: a page that says what a feed is and
  how to subscribe, then the feed's items. Feed readers never see this; they read the XML.

  Every feed names this file in an xml-stylesheet processing instruction, and the site's
  style sheet in a `page-stylesheet` one that browsers ignore (home/feeds.py): read from
  there, it stays the hashed static URL of the running release, and a browser without XSLT
  still shows the raw feed rather than applying the site's CSS to it. Nothing inline: the
  page falls under the site's Content Security Policy (no inline script or style).
  Descriptions are HTML-escaped text (SiteFeed.item_description), so they are written out
  unescaped once to read as what they say.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
    exclude-result-prefixes="atom itunes">
  <xsl:output method="html" encoding="utf-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:variable name="css" select="substring-before(substring-after(/processing-instruction('page-stylesheet'), 'href=&quot;'), '&quot;')"/>
  <xsl:variable name="is-atom" select="boolean(/atom:feed)"/>
  <xsl:variable name="is-podcast" select="boolean(/rss/channel/itunes:author)"/>
  <xsl:variable name="title">
    <xsl:choose>
      <xsl:when test="$is-atom"><xsl:value-of select="/atom:feed/atom:title"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="/rss/channel/title"/></xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <xsl:variable name="description">
    <xsl:choose>
      <xsl:when test="$is-atom"><xsl:value-of select="/atom:feed/atom:subtitle"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="/rss/channel/description"/></xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <xsl:variable name="site">
    <xsl:choose>
      <xsl:when test="$is-atom"><xsl:value-of select="/atom:feed/atom:link[@rel='alternate' or not(@rel)][1]/@href"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="/rss/channel/link"/></xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <xsl:variable name="address">
    <xsl:choose>
      <xsl:when test="$is-atom"><xsl:value-of select="/atom:feed/atom:link[@rel='self']/@href"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="/rss/channel/atom:link[@rel='self']/@href"/></xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <xsl:variable name="lang">
    <xsl:choose>
      <xsl:when test="$is-atom"><xsl:value-of select="/atom:feed/@xml:lang"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="/rss/channel/language"/></xsl:otherwise>
    </xsl:choose>
  </xsl:variable>

  <xsl:template match="/">
    <html lang="{substring-before(concat($lang, '-'), '-')}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="color-scheme" content="light dark"/>
        <meta name="robots" content="noindex"/>
        <title><xsl:value-of select="$title"/> (feed)</title>
        <xsl:if test="$css"><link rel="stylesheet" href="{$css}"/></xsl:if>
      </head>
      <body>
        <header class="site-header">
          <div class="wrap">
            <a class="site-name" href="{$site}"><xsl:value-of select="$title"/></a>
          </div>
        </header>
        <main id="content" class="wrap">
          <section class="cta feed-about" aria-labelledby="feed-about">
            <p class="kicker">
              <xsl:choose>
                <xsl:when test="$is-podcast">Podcast feed</xsl:when>
                <xsl:when test="$is-atom">Atom feed</xsl:when>
                <xsl:otherwise>RSS feed</xsl:otherwise>
              </xsl:choose>
            </p>
            <h1 id="feed-about">This is a feed: follow it to get new items as they come out</h1>
            <xsl:choose>
              <xsl:when test="$is-podcast">
                <p>Podcast apps play the audio versions of the posts, new ones as soon as they are published. Copy this address and add it in your app (in Apple Podcasts: Library, then “Follow a Show by URL”; in Pocket Casts, Overcast or AntennaPod: add a podcast by URL):</p>
              </xsl:when>
              <xsl:otherwise>
                <p>A feed reader (such as NetNewsWire, Feedly, Inoreader or Thunderbird) checks this feed for you and shows what is new. Copy this address into your reader to subscribe:</p>
              </xsl:otherwise>
            </xsl:choose>
            <p class="feed-address"><code><xsl:value-of select="$address"/></code></p>
            <p>
              <xsl:choose>
                <xsl:when test="$is-podcast">No podcast app yet? Every phone has one, and many more are free.</xsl:when>
                <xsl:otherwise>No reader yet? Search the web for “RSS reader”: many are free.</xsl:otherwise>
              </xsl:choose>
              Or just <a href="{$site}">visit the website</a>.
            </p>
          </section>
          <section aria-labelledby="feed-items">
            <h2 id="feed-items">Latest in <xsl:value-of select="$title"/></h2>
            <xsl:if test="string($description) and $description != $title">
              <p class="tagline"><xsl:value-of select="$description"/></p>
            </xsl:if>
            <xsl:apply-templates select="/rss/channel/item | /atom:feed/atom:entry"/>
            <xsl:if test="not(/rss/channel/item | /atom:feed/atom:entry)">
              <p>Nothing published here yet.</p>
            </xsl:if>
          </section>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item">
    <article class="card">
      <h3 class="card-title"><a href="{link}"><xsl:value-of select="title"/></a></h3>
      <!-- RFC 822 dates: "Tue, 01 Dec 2026 10:00:00 +0000" shows as "Tue, 01 Dec 2026". -->
      <p class="meta"><xsl:value-of select="substring(pubDate, 1, 16)"/></p>
      <xsl:if test="string(description)">
        <p class="excerpt"><xsl:value-of select="description" disable-output-escaping="yes"/></p>
      </xsl:if>
    </article>
  </xsl:template>

  <xsl:template match="atom:entry">
    <article class="card">
      <h3 class="card-title"><a href="{atom:link[@rel='alternate' or not(@rel)][1]/@href}"><xsl:value-of select="atom:title"/></a></h3>
      <p class="meta"><xsl:value-of select="substring(atom:published | atom:updated[not(../atom:published)], 1, 10)"/></p>
      <xsl:if test="string(atom:summary)">
        <p class="excerpt"><xsl:value-of select="atom:summary" disable-output-escaping="yes"/></p>
      </xsl:if>
    </article>
  </xsl:template>
</xsl:stylesheet>
